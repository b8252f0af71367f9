// Tests for loading the song table in both layouts, malformed rows and error messages.
#include <catch2/catch.hpp>

#include "fermap/error.hpp"
#include "fermap/rng.hpp"
#include "fermap/songs/catalogue.hpp"
#include "test_songs_support.hpp"

using namespace fermap;
using fermap::test::bundled_songs;
using fermap::test::write_temp_file;

namespace {

const std::string k278kHeader =
    "duration (ms),danceability,energy,loudness,speechiness,acousticness,instrumentalness,liveness,valence,"
    "tempo,spec_rate,labels,uri";

std::string row_278k(const std::string& label, const std::string& id, const std::string& valence = "0.5") {
  return "200000.0,0.5,0.6,-7.5,0.04,0.1,0.0,0.1," + valence + ",120.0,2e-07," + label + ",spotify:track:" + id;
}

}  // namespace

TEST_CASE("the bundled 278k-layout table loads with the manifest's label counts", "[songs][catalogue]") {
  const Catalogue cat = Catalogue::load(bundled_songs("data_moods_278k_layout.csv"));
  CHECK(cat.report().layout == SongTableLayout::labelled_278k);
  CHECK(cat.size() == 686);
  CHECK(cat.report().skipped == 0);
  CHECK(cat.indices_of(Mood::sad).size() == 197);
  CHECK(cat.indices_of(Mood::happy).size() == 140);
  CHECK(cat.indices_of(Mood::energetic).size() == 154);
  CHECK(cat.indices_of(Mood::calm).size() == 195);
  const Song& first = cat[0];
  CHECK(first.uri == "spotify:track:2H7PHVdQ3mXqEHXcvclTB0");
  CHECK(first.link() == "https://open.spotify.com/track/2H7PHVdQ3mXqEHXcvclTB0");
  CHECK(first.mood == Mood::happy);
  CHECK(first.features.valence == Approx(0.625f));
  CHECK(first.features.duration_ms == Approx(379266.0f));
  CHECK(first.name.empty());
}

TEST_CASE("the bundled moods-layout table loads with names and artists", "[songs][catalogue]") {
  const Catalogue cat = Catalogue::load(bundled_songs("data_moods.csv"));
  CHECK(cat.report().layout == SongTableLayout::moods);
  CHECK(cat.size() == 686);
  CHECK(cat.indices_of(Mood::calm).size() == 195);
  CHECK(cat[0].name == "1999");
  CHECK(cat[0].artist == "Prince");
  CHECK(cat[0].uri == "spotify:track:2H7PHVdQ3mXqEHXcvclTB0");
  CHECK(cat[0].features.energy == Approx(0.73f));
  CHECK(cat.index_of("spotify:track:4HIwL9ii9CcXpTOTzMq0MP") == 1);
  CHECK(cat.index_of("spotify:track:nope") == -1);
}

TEST_CASE("unnamed index columns, a BOM and CRLF are accepted", "[songs][catalogue]") {
  const std::string text = "\xEF\xBB\xBF" ",Unnamed: 0," + k278kHeader + "\r\n0,0," + row_278k("3", "aaa") +
                           "\r\n1,1," + row_278k("1.0", "bbb") + "\r\n";
  const Catalogue cat = Catalogue::load(write_temp_file("unnamed.csv", text));
  REQUIRE(cat.size() == 2);
  CHECK(cat[0].mood == Mood::calm);
  CHECK(cat[1].mood == Mood::happy);
  CHECK(cat[1].uri == "spotify:track:bbb");
}

TEST_CASE("quoted names with commas load in the moods layout", "[songs][catalogue]") {
  const std::string text =
      "name,album,artist,id,valence,energy,mood\n"
      "\"Hello, Goodbye\",\"Magical \"\"Mystery\"\" Tour\",The Beatles,abc123,0.8,0.7,Happy\n";
  const Catalogue cat = Catalogue::load(write_temp_file("quoted.csv", text));
  REQUIRE(cat.size() == 1);
  CHECK(cat[0].name == "Hello, Goodbye");
  CHECK(cat[0].album == "Magical \"Mystery\" Tour");
  CHECK(cat[0].mood == Mood::happy);
}

TEST_CASE("malformed rows are skipped, counted and reported with line numbers", "[songs][catalogue]") {
  const std::string text = k278kHeader + "\n" + row_278k("0", "good1") + "\n" +
                           "200000.0,0.5,0.6\n" +                      // line 3: too few fields
                           row_278k("0", "bad2", "high") + "\n" +      // line 4: not a number
                           row_278k("7", "bad3") + "\n" +              // line 5: unknown label
                           row_278k("2", "bad id!") + "\n" +           // line 6: bad id
                           "\n" +                                      // line 7: blank, ignored
                           row_278k("1", "good1") + "\n" +             // line 8: duplicate URI
                           row_278k("2", "good2") + "\n";
  const std::string path = write_temp_file("malformed.csv", text);
  const Catalogue cat = Catalogue::load(path, CatalogueOptions{.max_reported_problems = 3});
  CHECK(cat.size() == 2);
  CHECK(cat.report().rows == 7);
  CHECK(cat.report().skipped == 4);
  CHECK(cat.report().duplicates == 1);
  REQUIRE(cat.report().problems.size() == 3);
  CHECK(cat.report().problems[0] == path + ":3: expected 13 fields, found 3");
  CHECK_THAT(cat.report().problems[1], Catch::StartsWith(path + ":4: not a number"));
  CHECK_THAT(cat.report().problems[2], Catch::StartsWith(path + ":5: unknown label '7'"));
}

TEST_CASE("a missing file, an empty table and an unknown layout are clear errors", "[songs][catalogue]") {
  const std::string missing = std::string(FERMAP_TEST_TMP) + "/songs/does_not_exist.csv";
  CHECK_THAT(fermap::test::thrown<IoError>([&] { Catalogue::load(missing); }), Catch::Matchers::Contains("does_not_exist.csv"));
  const std::string empty = write_temp_file("empty.csv", "");
  CHECK_THAT(fermap::test::thrown<FormatError>([&] { Catalogue::load(empty); }), Catch::Matchers::Contains("empty song table"));
  const std::string header_only = write_temp_file("header_only.csv", k278kHeader + "\n");
  CHECK_THAT(fermap::test::thrown<FormatError>([&] { Catalogue::load(header_only); }), Catch::Matchers::Contains("no valid song"));
  const std::string other = write_temp_file("other.csv", "a,b,c\n1,2,3\n");
  CHECK_THAT(fermap::test::thrown<FormatError>([&] { Catalogue::load(other); }), Catch::Matchers::Contains("other.csv:1: unknown"));
  const std::string no_uri = write_temp_file("no_uri.csv", "valence,energy,labels\n0.1,0.2,1\n");
  CHECK_THAT(fermap::test::thrown<FormatError>([&] { Catalogue::load(no_uri); }), Catch::Matchers::Contains("'uri'"));
  CHECK_THROWS_AS(Catalogue::load(std::string(FERMAP_TEST_TMP)), IoError);
}

TEST_CASE("Spotify ids are read from URIs, links and bare ids", "[songs][catalogue]") {
  CHECK(spotify_track_id("spotify:track:2H7PHVdQ3mXqEHXcvclTB0") == "2H7PHVdQ3mXqEHXcvclTB0");
  CHECK(spotify_track_id("https://open.spotify.com/track/abc?si=x") == "abc");
  CHECK(spotify_track_id("abc123") == "abc123");
  CHECK_FALSE(spotify_track_id("").has_value());
  CHECK_FALSE(spotify_track_id("spotify:track:").has_value());
  CHECK_FALSE(spotify_track_id("has space").has_value());
  CHECK(parse_mood("Energetic") == Mood::energetic);
  CHECK_FALSE(parse_mood("angry").has_value());
  CHECK(mood_name(Mood::calm) == "calm");
}

TEST_CASE("garbled tables never crash: they load what is valid or throw FormatError", "[songs][catalogue]") {
  const std::string alphabet = "0123456789.,,,\"\"\n\r\n-eabcxyz \xEF\xBB\xBF:";
  const std::string header = k278kHeader + "\n";
  fermap::Rng rng(11);
  for (int trial = 0; trial < 200; ++trial) {
    std::string text = trial % 2 ? header : "";
    const int length = static_cast<int>(rng.below(600));
    for (int i = 0; i < length; ++i) text.push_back(alphabet[rng.below(alphabet.size())]);
    if (trial % 3 == 0) text += row_278k("1", "ok" + std::to_string(trial)) + "\n";
    const std::string path = write_temp_file("garbled.csv", text);
    try {
      const Catalogue cat = Catalogue::load(path);
      CHECK(cat.size() >= 1);
      CHECK(cat.report().rows == cat.report().loaded + cat.report().skipped + cat.report().duplicates);
    } catch (const FormatError&) {
    }
  }
}
