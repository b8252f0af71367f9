// Tests of the fermap predict and recommend commands, run as a process (FERMAP_CLI, set by CTest).
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <vector>
#include <nlohmann/json.hpp>

#include "test_face_support.hpp"

namespace fermap::test {
std::string untrained_model();  // test_face_emotion.cpp
}

namespace {

struct RunResult {
  int status;
  std::string out;
};

RunResult run_cli(const std::string& args) {
  const char* cli = std::getenv("FERMAP_CLI");
  const std::string command = "cd '" FERMAP_SOURCE_DIR "' && '" + std::string(cli) + "' " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  std::array<char, 4096> buffer{};
  while (size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) out.append(buffer.data(), n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace

#define FERMAP_REQUIRE_CLI()                                                   \
  if (!std::getenv("FERMAP_CLI")) {                                            \
    WARN("skipped: FERMAP_CLI not set (run through ctest to test the command)"); \
    return;                                                                    \
  }

TEST_CASE("fermap predict prints every face of the demo photo and writes an annotated PNG", "[face][cli]") {
  FERMAP_REQUIRE_CLI();
  const std::string model = fermap::test::untrained_model();
  const std::string png = fermap::test::face_temp_path("cli_annotated.png");
  const RunResult text = run_cli("predict data/demo/faces.png --model " + model + " --annotate " + png);
  INFO(text.out);
  CHECK(text.status == 0);
  CHECK_THAT(text.out, Catch::Matchers::Contains("data/demo/faces.png: 6 faces"));
  CHECK(std::ifstream(png).good());

  const RunResult json = run_cli("predict data/demo/faces.png --json --model " + model);
  INFO(json.out);
  REQUIRE(json.status == 0);
  const nlohmann::json j = nlohmann::json::parse(json.out);
  REQUIRE(j.size() == 1);
  CHECK(j[0]["faces"].size() == 6);
  CHECK(j[0]["faces"][0]["probabilities"].size() == 4);
}

TEST_CASE("fermap predict --tta averages each face over ten views: other probabilities, same faces", "[face][cli]") {
  FERMAP_REQUIRE_CLI();
  const RunResult plain = run_cli("predict data/demo/faces.png --json");
  const RunResult tta = run_cli("predict data/demo/faces.png --json --tta");
  INFO(plain.out << tta.out);
  REQUIRE(plain.status == 0);
  REQUIRE(tta.status == 0);
  const nlohmann::json p = nlohmann::json::parse(plain.out)[0]["faces"], t = nlohmann::json::parse(tta.out)[0]["faces"];
  REQUIRE(p.size() == 6);
  REQUIRE(t.size() == 6);
  double largest_change = 0;
  for (size_t i = 0; i < 6; ++i) {
    CHECK(t[i]["box"] == p[i]["box"]);
    double sum = 0;
    for (const auto& [emotion, probability] : t[i]["probabilities"].items()) {
      sum += probability.get<double>();
      largest_change = std::max(largest_change, std::abs(probability.get<double>() - p[i]["probabilities"][emotion].get<double>()));
    }
    CHECK(sum == Approx(1.0).epsilon(1e-4));
  }
  CHECK(largest_change > 1e-3);

  const RunResult songs = run_cli("recommend data/demo/faces.png --json --tta -n 2 --seed 1");
  INFO(songs.out);
  REQUIRE(songs.status == 0);
  CHECK(nlohmann::json::parse(songs.out)["faces"] == t);
}

TEST_CASE("fermap predict says when a picture has no face, and fails on a bad file", "[face][cli]") {
  FERMAP_REQUIRE_CLI();
  const std::string model = fermap::test::untrained_model();
  {
    std::ofstream(fermap::test::face_temp_path("not_an_image.png")) << "hello";
  }
  const RunResult missing = run_cli("predict " + fermap::test::face_temp_path("not_an_image.png") + " --model " + model);
  CHECK(missing.status == 1);
  CHECK_THAT(missing.out, Catch::Matchers::Contains("not_an_image.png"));
  FERMAP_REQUIRE_MEDIA(fruits, "fruits.jpg");
  const RunResult none = run_cli("predict " + fruits + " --model " + model);
  CHECK(none.status == 0);
  CHECK_THAT(none.out, Catch::Matchers::Contains("no face found in " + fruits));
}

TEST_CASE("fermap recommend maps the photo's emotion to songs", "[face][cli]") {
  FERMAP_REQUIRE_CLI();
  const std::string model = fermap::test::untrained_model();
  const RunResult r = run_cli("recommend data/demo/faces.png --json -n 4 --seed 2 --mode lift --model " + model);
  INFO(r.out);
  REQUIRE(r.status == 0);
  const nlohmann::json j = nlohmann::json::parse(r.out);
  CHECK(j["faces"].size() == 6);
  CHECK(j["songs"].size() == 4);
  CHECK(j["mode"] == "lift");
  CHECK(j["seed"] == 2);
  CHECK_THAT(j["songs"][0]["link"].get<std::string>(), Catch::Matchers::StartsWith("https://open.spotify.com/track/"));

  const RunResult by_emotion = run_cli("recommend --emotion angry --map angry=calm -n 3 --seed 1");
  INFO(by_emotion.out);
  CHECK(by_emotion.status == 0);
  CHECK_THAT(by_emotion.out, Catch::Matchers::Contains("3 songs for angry -> calm"));

  const RunResult unmapped = run_cli("recommend --emotion fear");
  CHECK(unmapped.status == 1);
  CHECK_THAT(unmapped.out, Catch::Matchers::Contains("'fear'"));

  const RunResult neither = run_cli("recommend");
  CHECK(neither.status != 0);
  CHECK_THAT(neither.out, Catch::Matchers::Contains("give an IMAGE, or an emotion with --emotion"));
  const RunResult both = run_cli("recommend data/demo/faces.png --emotion sad");
  CHECK(both.status != 0);
  CHECK_THAT(both.out, Catch::Matchers::Contains("not both"));
}

TEST_CASE("fermap predict --camera on a machine without that camera fails with one clear line", "[face][cli]") {
  FERMAP_REQUIRE_CLI();
  const RunResult r = run_cli("predict --camera 63 --model " + fermap::test::untrained_model());
  INFO(r.out);
  CHECK(r.status == 1);
  CHECK_THAT(r.out, Catch::Matchers::Contains("cannot open camera 63"));
  const RunResult both = run_cli("predict --camera 0 --video clip.avi");
  CHECK(both.status != 0);
  CHECK_THAT(both.out, Catch::Matchers::Contains("not both"));
}

TEST_CASE("fermap predict --video --json prints one JSON object per frame, then the whole, and refuses --no-detect", "[face][cli]") {
  FERMAP_REQUIRE_CLI();
  FERMAP_REQUIRE_MEDIA(video, "Megamind.avi");
  const RunResult r = run_cli("predict --video " + video + " --max-frames 5 --json");
  INFO(r.out);
  REQUIRE(r.status == 0);
  std::vector<nlohmann::json> lines;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));  // every line is JSON
  REQUIRE(lines.size() == 6);
  for (int i = 0; i < 5; ++i) {
    const nlohmann::json& frame = lines[static_cast<size_t>(i)];
    CHECK(frame["frame"] == i);
    CHECK(frame["time"].is_number());
    CHECK(frame["faces"].is_array());
    CHECK((frame["emotion"].is_null() == frame["faces"].empty()));
    for (const auto& face : frame["faces"]) CHECK(face.contains("emotion"));
  }
  const nlohmann::json& whole = lines.back();
  CHECK(whole["frames"] == 5);
  CHECK(whole["frames_with_faces"].get<int>() <= 5);
  CHECK(whole["frames_per_second"].get<double>() > 0);
  CHECK(whole.contains("mostly"));

  const RunResult crop = run_cli("predict --video " + video + " --no-detect");
  CHECK(crop.status != 0);
  CHECK_THAT(crop.out, Catch::Matchers::Contains("--no-detect") && Catch::Matchers::Contains("face detector"));
}

TEST_CASE("fermap predict --video reports the frame rate, --detect-side sets the detection size", "[face][cli]") {
  FERMAP_REQUIRE_CLI();
  FERMAP_REQUIRE_MEDIA(video, "Megamind.avi");
  const std::string model = fermap::test::untrained_model();
  const RunResult r = run_cli("predict --video " + video + " --max-frames 12 --detect-side 240 --model " + model);
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Catch::Matchers::Contains("12 frames") && Catch::Matchers::Contains("frames/s"));
  const RunResult tiny = run_cli("predict --video " + video + " --detect-side 10");
  CHECK(tiny.status != 0);
  CHECK_THAT(tiny.out, Catch::Matchers::Contains("--detect-side"));
}

TEST_CASE("fermap summary takes --classes for a zoo model and refuses it for a model file", "[cli]") {
  FERMAP_REQUIRE_CLI();
  const RunResult zoo = run_cli("summary custom_cnn --classes 7");
  INFO(zoo.out);
  CHECK(zoo.status == 0);
  // Seven outputs: not the four-class total of 1,371,300.
  CHECK_THAT(zoo.out, Catch::Matchers::Contains("params") && !Catch::Matchers::Contains("1,371,300"));
  const RunResult file = run_cli("summary " + fermap::test::untrained_model() + " --classes 7");
  CHECK(file.status != 0);
  CHECK_THAT(file.out, Catch::Matchers::Contains("--classes is for a zoo model"));
}
