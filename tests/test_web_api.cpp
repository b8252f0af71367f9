// API tests against a running server on loopback (in this process, on an ephemeral port): every
// endpoint, every error as JSON with its status, uploads that are not images, and the page.
#include <catch2/catch.hpp>

#include <opencv2/imgcodecs.hpp>

#include "fermap/face/detector.hpp"
#include "fermap/face/emotion.hpp"
#include "fermap/face/image_io.hpp"
#include "test_face_support.hpp"
#include "test_web_support.hpp"

using namespace fermap;
using nlohmann::json;

namespace {

// The server's answer for one status, checked to be a JSON error of that status.
void check_error(const httplib::Result& result, int status) {
  REQUIRE(result);
  CHECK(result->status == status);
  CHECK(result->get_header_value("Content-Type") == "application/json");
  const json body = json::parse(result->body);
  CHECK(body["status"] == status);
  CHECK(body["error"].is_string());
  CHECK_FALSE(body["error"].get<std::string>().empty());
}

}  // namespace

TEST_CASE("api: health names the model, classes and catalogue", "[web][api]") {
  test::RunningServer server(test::web_options(test::fresh_db("api_health.sqlite")));
  httplib::Client client = server.client();
  const auto result = client.Get("/api/health");
  REQUIRE(result);
  CHECK(result->status == 200);
  const json health = json::parse(result->body);
  CHECK(health["status"] == "ok");
  CHECK(health["classes"] == json({"angry", "happy", "neutral", "sad"}));
  CHECK(health["songs"].get<int>() > 600);
  CHECK(health["history"]["liked"] == 0);
  CHECK(health["tta"] == false);
}

TEST_CASE("api: with test-time augmentation on, analyze gives the library's averaged probabilities", "[web][api]") {
  WebAppOptions options = test::web_options(test::fresh_db("api_tta.sqlite"));
  options.classifier.tta = true;
  WebApp app(options);
  CHECK(app.health().body["tta"] == true);

  const Classifier classifier = Classifier::load(options.model, {.tta = true});
  FaceDetector detector;
  const std::vector<FaceEmotion> expected = recognize_emotions(classifier, &detector, load_image(test::demo_photo()));
  REQUIRE(expected.size() == 6);
  const ApiResponse response = app.analyze(test::read_file_bytes(test::demo_photo()), {});
  REQUIRE(response.status == 200);
  REQUIRE(response.body["faces"].size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    CHECK(response.body["faces"][i] == to_json(expected[i], classifier.classes()));
}

TEST_CASE("api: analyze finds the demo photo's faces, as the library does", "[web][api]") {
  test::RunningServer server(test::web_options(test::fresh_db("api_analyze.sqlite")));
  const std::string photo = test::read_file_bytes(test::demo_photo());

  const Classifier classifier = Classifier::load(test::web_options("").model);
  FaceDetector detector;
  const cv::Mat image = load_image(test::demo_photo());
  const std::vector<FaceEmotion> expected = recognize_emotions(classifier, &detector, image);
  REQUIRE(expected.size() == 6);

  httplib::Client client = server.client();
  const auto result = client.Post("/api/analyze", photo, "image/png");
  REQUIRE(result);
  REQUIRE(result->status == 200);
  const json analysis = json::parse(result->body);
  CHECK(analysis["width"] == image.cols);
  CHECK(analysis["height"] == image.rows);
  REQUIRE(analysis["faces"].size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    CHECK(analysis["faces"][i] == to_json(expected[i], classifier.classes()));
  CHECK(analysis["overall"] == to_json(overall_emotion(expected, classifier.classes()), classifier.classes()));

  SECTION("the same photo as a multipart form upload") {
    const httplib::MultipartFormDataItems form{{"image", photo, "faces.png", "image/png"}};
    const auto multipart = client.Post("/api/analyze", form);
    REQUIRE(multipart);
    CHECK(multipart->status == 200);
    CHECK(json::parse(multipart->body) == analysis);
  }
  SECTION("no_detect takes the whole photo as one face") {
    const json whole = test::body_json(client.Post("/api/analyze?no_detect=1", photo, "image/png"));
    REQUIRE(whole["faces"].size() == 1);
    CHECK(whole["faces"][0]["box"] == json({{"x", 0}, {"y", 0}, {"w", image.cols}, {"h", image.rows}}));
  }
}

TEST_CASE("api: a photo without a face gives no faces and no overall emotion", "[web][api]") {
  test::RunningServer server(test::web_options(test::fresh_db("api_noface.sqlite")));
  std::vector<uchar> png;
  cv::imencode(".png", cv::Mat(120, 160, CV_8UC3, cv::Scalar(40, 90, 200)), png);
  const json analysis = test::body_json(
      server.client().Post("/api/analyze", std::string(png.begin(), png.end()), "image/png"));
  CHECK(analysis["faces"].empty());
  CHECK(analysis["overall"].is_null());
}

TEST_CASE("api: bad uploads and wrong routes are JSON errors with the right status", "[web][api]") {
  test::RunningServer server(test::web_options(test::fresh_db("api_errors.sqlite")),
                             ServerOptions{.max_body = 64 << 10});
  httplib::Client client = server.client();
  check_error(client.Post("/api/analyze", "", "image/png"), 400);
  check_error(client.Post("/api/analyze", "GIF89a but not really an image at all", "image/gif"), 415);
  check_error(client.Post("/api/analyze", std::string(100 << 10, 'x'), "image/png"), 413);
  check_error(client.Get("/api/analyze"), 405);
  check_error(client.Post("/api/health", "", "text/plain"), 405);
  check_error(client.Patch("/api/feedback", "{}", "application/json"), 405);
  check_error(client.Get("/api/nothing"), 404);
  check_error(client.Get("/no-such-page.html"), 404);
  check_error(client.Get("/../../etc/passwd"), 404);
  check_error(client.Get("/%2e%2e/%2e%2e/etc/passwd"), 404);
}

TEST_CASE("api: recommend validates its parameters", "[web][api]") {
  test::RunningServer server(test::web_options(test::fresh_db("api_recommend_bad.sqlite")));
  httplib::Client client = server.client();
  check_error(client.Get("/api/recommend"), 400);
  check_error(client.Get("/api/recommend?emotion=bored"), 400);
  CHECK(test::body_json(client.Get("/api/recommend?emotion=bored"))["error"] ==
        "unknown emotion 'bored': use one of angry, happy, neutral, sad");
  check_error(client.Get("/api/recommend?emotion=happy&n=0"), 400);
  check_error(client.Get("/api/recommend?emotion=happy&n=51"), 400);
  check_error(client.Get("/api/recommend?emotion=happy&n=3x"), 400);
  check_error(client.Get("/api/recommend?emotion=happy&mode=shuffle"), 400);
}

TEST_CASE("api: recommend returns songs with Spotify links and does not repeat recent ones", "[web][api]") {
  test::RunningServer server(test::web_options(test::fresh_db("api_recommend.sqlite")));
  httplib::Client client = server.client();
  for (const char* mode : {"match", "lift", "random"}) {
    INFO(mode);
    const json first = test::body_json(client.Get(std::string("/api/recommend?emotion=Sad&n=8&mode=") + mode));
    const json second = test::body_json(client.Get(std::string("/api/recommend?emotion=sad&n=8&mode=") + mode));
    CHECK(first["emotion"] == "sad");
    CHECK(first["mode"] == mode);
    REQUIRE(first["songs"].size() == 8);
    REQUIRE(second["songs"].size() == 8);
    std::set<std::string> seen;
    for (const json& song : first["songs"]) {
      CHECK(song["link"].get<std::string>().rfind("https://open.spotify.com/track/", 0) == 0);
      seen.insert(song["uri"].get<std::string>());
    }
    for (const json& song : second["songs"]) CHECK(seen.count(song["uri"].get<std::string>()) == 0);
  }
}

TEST_CASE("api: feedback validates the song and the action", "[web][api]") {
  test::RunningServer server(test::web_options(test::fresh_db("api_feedback_bad.sqlite")));
  httplib::Client client = server.client();
  const std::string known = server.app().catalogue()[0].uri;
  check_error(client.Post("/api/feedback", "{not json", "application/json"), 400);
  check_error(client.Post("/api/feedback", "[1, 2]", "application/json"), 400);
  check_error(client.Post("/api/feedback", std::string(5000, '['), "application/json"), 413);
  check_error(client.Post("/api/feedback", json{{"uri", known}, {"action", "love"}}.dump(), "application/json"), 400);
  check_error(client.Post("/api/feedback", json{{"uri", 7}, {"action", "like"}}.dump(), "application/json"), 400);
  check_error(client.Post("/api/feedback", json{{"uri", "../../etc"}, {"action", "like"}}.dump(), "application/json"),
              400);
  const json unknown_song = {{"uri", "spotify:track:0000000000000000000000"}, {"action", "like"}};
  check_error(client.Post("/api/feedback", unknown_song.dump(), "application/json"), 404);
  const json like = {{"uri", known}, {"action", "like"}, {"emotion", "happy"}};
  const json ok = test::body_json(client.Post("/api/feedback", like.dump(), "application/json"));
  CHECK(ok["ok"] == true);
  CHECK(ok["liked"] == 1);
}

TEST_CASE("page: the page and its script and style are served from the binary", "[web][api]") {
  test::RunningServer server(test::web_options(test::fresh_db("api_page.sqlite")));
  httplib::Client client = server.client();
  const auto page = client.Get("/");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->get_header_value("Content-Type") == "text/html; charset=utf-8");
  CHECK(page->body.find("EchoEmotion") != std::string::npos);
  CHECK(page->has_header("Content-Security-Policy"));
  for (const char* asset : {"/index.html", "/app.js", "/style.css"}) {
    const auto result = client.Get(asset);
    REQUIRE(result);
    CHECK(result->status == 200);
    CHECK_FALSE(result->body.empty());
  }
  CHECK(client.Get("/app.js")->get_header_value("Content-Type") == "text/javascript; charset=utf-8");
}
