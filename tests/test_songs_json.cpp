// Tests for the JSON form of recommendations.
#include <catch2/catch.hpp>

#include "fermap/songs/songs_json.hpp"
#include "test_songs_support.hpp"

using namespace fermap;

TEST_CASE("a recommendation's JSON carries the URI, link, names and features", "[songs][json]") {
  const Catalogue cat = Catalogue::load(test::bundled_songs("data_moods.csv"));
  RecommendOptions options;
  options.count = 2;
  const std::vector<Recommendation> recs = recommend(cat, "happy", options);
  const nlohmann::json j = to_json(recs);
  REQUIRE(j.size() == 2);
  const nlohmann::json& first = j[0];
  CHECK(first["uri"] == recs[0].song.uri);
  CHECK(first["link"] == "https://open.spotify.com/track/" + std::string(recs[0].song.id()));
  CHECK(first["name"] == recs[0].song.name);
  CHECK(first["artist"] == recs[0].song.artist);
  CHECK(first["mood"] == "happy");
  CHECK(first["target"]["valence"].get<double>() == Approx(0.8));
  CHECK(first["excluded"] == false);

  const Catalogue bare = Catalogue::load(test::bundled_songs("data_moods_278k_layout.csv"));
  const nlohmann::json k = to_json(recommend(bare, "sad", options)[0]);
  CHECK_FALSE(k.contains("name"));
  CHECK(k["mood"] == "sad");
}
