// Feedback changes later recommendations (liked songs and their neighbours rise, skipped ones
// fall), and a restarted server on the same history file remembers all of it.
#include <catch2/catch.hpp>

#include <algorithm>

#include "test_web_support.hpp"

using namespace fermap;
using nlohmann::json;

namespace {

std::vector<std::string> uris_of(const json& response) {
  std::vector<std::string> uris;
  for (const json& song : response["songs"]) uris.push_back(song["uri"].get<std::string>());
  return uris;
}

ptrdiff_t position(const std::vector<std::string>& uris, const std::string& uri) {
  const auto it = std::find(uris.begin(), uris.end(), uri);
  return it == uris.end() ? static_cast<ptrdiff_t>(uris.size()) : it - uris.begin();
}

void send_feedback(httplib::Client& client, const std::string& uri, const char* action) {
  const auto result = client.Post("/api/feedback", json{{"uri", uri}, {"action", action}}.dump(), "application/json");
  REQUIRE(result);
  REQUIRE(result->status == 200);
}

}  // namespace

TEST_CASE("learning: likes lift a song and its neighbours, skips sink a song, a restart keeps both",
          "[web][learning]") {
  WebAppOptions options = test::web_options(test::fresh_db("learning.sqlite"));
  options.recent_window = 0;  // compare whole rankings; repeats are tested in test_web_api.cpp
  const std::string query = "/api/recommend?emotion=happy&n=30&mode=match";

  std::string liked, skipped;
  std::vector<std::string> before;
  {
    test::RunningServer server(options);
    httplib::Client client = server.client();
    before = uris_of(test::body_json(client.Get(query)));
    REQUIRE(before.size() == 30);
    liked = before[20];
    skipped = before[0];
    send_feedback(client, liked, "like");
    send_feedback(client, skipped, "skip");
  }
  test::RunningServer restarted(options);  // a new process would see the same file
  httplib::Client client = restarted.client();
  const json health = test::body_json(client.Get("/api/health"));
  CHECK(health["history"]["liked"] == 1);
  CHECK(health["history"]["skipped"] == 1);

  const json after = test::body_json(client.Get(query));
  const std::vector<std::string> ranked = uris_of(after);
  CHECK(position(ranked, liked) < 20);
  CHECK(position(ranked, skipped) > 0);
  int neighbours = 0;
  for (const json& song : after["songs"])
    if (song["uri"] != liked && song["preference"].get<double>() > 0.05) ++neighbours;
  CHECK(neighbours > 0);
}
