// Tests for the recommender: modes, seeds, exclusion, preferences and errors.
#include <catch2/catch.hpp>

#include <set>

#include "fermap/error.hpp"
#include "fermap/songs/recommender.hpp"
#include "test_songs_support.hpp"

using namespace fermap;
using fermap::test::make_song;

namespace {

// Four moods on a grid of valence/energy; 12 songs each.
Catalogue grid_catalogue() {
  std::vector<Song> songs;
  const struct {
    Mood mood;
    float v, e;
  } centres[] = {{Mood::sad, 0.2f, 0.3f}, {Mood::happy, 0.75f, 0.7f}, {Mood::energetic, 0.45f, 0.9f}, {Mood::calm, 0.35f, 0.2f}};
  int id = 0;
  for (const auto& c : centres)
    for (int i = 0; i < 12; ++i)
      songs.push_back(make_song(std::string("s").append(std::to_string(id++)), c.mood, c.v + 0.02f * static_cast<float>(i % 4 - 2),
                                c.e + 0.02f * static_cast<float>(i / 4 - 1)));
  return Catalogue::from_songs(std::move(songs), "grid");
}

std::set<std::string> uris(const std::vector<Recommendation>& recs) {
  std::set<std::string> out;
  for (const auto& r : recs) out.insert(r.song.uri);
  return out;
}

}  // namespace

TEST_CASE("random mode draws distinct songs of the mapped mood, reproducibly", "[songs][recommend]") {
  const Catalogue cat = grid_catalogue();
  RecommendOptions opt;
  opt.mode = RecommendMode::random;
  opt.count = 5;
  opt.seed = 7;
  const auto a = recommend(cat, "angry", opt);
  REQUIRE(a.size() == 5);
  CHECK(uris(a).size() == 5);
  for (const auto& r : a) CHECK(r.song.mood == Mood::energetic);
  const auto b = recommend(cat, "angry", opt);
  for (size_t i = 0; i < a.size(); ++i) CHECK(a[i].song.uri == b[i].song.uri);
  opt.seed = 8;
  CHECK(uris(recommend(cat, "angry", opt)) != uris(a));
  opt.count = 100;
  CHECK(recommend(cat, "angry", opt).size() == 12);
}

TEST_CASE("random mode is uniform over the mood's songs", "[songs][recommend]") {
  const Catalogue cat = grid_catalogue();
  RecommendOptions opt;
  opt.mode = RecommendMode::random;
  opt.count = 1;
  std::map<std::string, int> hits;
  for (uint64_t seed = 0; seed < 2400; ++seed) {
    opt.seed = seed;
    ++hits[recommend(cat, "happy", opt).front().song.uri];
  }
  REQUIRE(hits.size() == 12);
  for (const auto& [uri, n] : hits) CHECK((n > 130 && n < 270));  // expected 200 each
}

TEST_CASE("match mode ranks the mood's songs by closeness to the emotion's target", "[songs][recommend]") {
  const Catalogue cat = grid_catalogue();
  RecommendOptions opt;
  opt.count = 12;
  const auto recs = recommend(cat, "sad", opt);
  REQUIRE(recs.size() == 12);
  const MoodPoint sad = default_emotion_targets().at("sad");
  for (size_t i = 0; i < recs.size(); ++i) {
    CHECK(recs[i].song.mood == Mood::sad);
    CHECK(recs[i].target.valence == sad.valence);
    if (i > 0) CHECK(recs[i].distance >= recs[i - 1].distance);
  }
}

TEST_CASE("lift mode moves from the emotion toward calmer, then happier songs", "[songs][recommend]") {
  const Catalogue cat = grid_catalogue();
  RecommendOptions opt;
  opt.mode = RecommendMode::lift;
  opt.count = 9;
  const auto recs = recommend(cat, "angry", opt);
  REQUIRE(recs.size() == 9);
  CHECK(uris(recs).size() == 9);
  CHECK(recs.front().song.mood == Mood::energetic);
  CHECK(recs.back().song.mood == Mood::happy);
  bool saw_calm = false;
  for (const auto& r : recs) saw_calm = saw_calm || r.song.mood == Mood::calm;
  CHECK(saw_calm);
  CHECK(recs.back().song.features.valence > recs.front().song.features.valence);
}

TEST_CASE("excluded songs come only after every other song", "[songs][recommend]") {
  const Catalogue cat = grid_catalogue();
  for (const RecommendMode mode : {RecommendMode::random, RecommendMode::match}) {
    RecommendOptions opt;
    opt.mode = mode;
    opt.count = 5;
    const auto first = recommend(cat, "happy", opt);
    const std::set<std::string> played = uris(first);
    opt.exclude.insert(played.begin(), played.end());
    const auto second = recommend(cat, "happy", opt);
    for (const auto& r : second) CHECK(opt.exclude.count(r.song.uri) == 0);
    opt.count = 12;
    const auto all = recommend(cat, "happy", opt);
    REQUIRE(all.size() == 12);
    for (size_t i = 0; i < 7; ++i) CHECK_FALSE(all[i].excluded);
    for (size_t i = 7; i < 12; ++i) CHECK(all[i].excluded);
  }
}

TEST_CASE("liked songs and their neighbours rise, skipped ones fall", "[songs][recommend]") {
  const Catalogue cat = Catalogue::load(fermap::test::bundled_songs("data_moods.csv"));
  RecommendOptions opt;
  opt.count = 20;
  const auto plain = recommend(cat, "happy", opt);
  const std::string last = plain.back().song.uri;
  const std::string top = plain.front().song.uri;
  opt.preferences.liked.insert(last);
  opt.preferences.skipped.insert(top);
  const auto tuned = recommend(cat, "happy", opt);
  CHECK(tuned.front().song.uri == last);
  CHECK(tuned.front().preference > 0.5f);
  CHECK(uris(tuned).count(top) == 0);

  Preferences likes;
  likes.liked.insert(last);
  const PreferenceScorer scorer(cat, likes);
  const Song& liked = cat[static_cast<size_t>(cat.index_of(last))];
  Song near = liked;
  near.features.valence += 0.05f;
  Song far = liked;
  far.features.valence = liked.features.valence > 0.5f ? 0.0f : 1.0f;
  far.features.energy = liked.features.energy > 0.5f ? 0.0f : 1.0f;
  CHECK(scorer.score(liked) == Approx(1.0f));
  CHECK(scorer.score(near) > 0.9f);
  CHECK(scorer.score(far) < 0.01f);
  Preferences skips;
  skips.skipped.insert(last);
  CHECK(PreferenceScorer(cat, skips).score(near) < -0.9f);
}

TEST_CASE("recommend reports unmapped emotions, empty moods and bad counts", "[songs][recommend]") {
  std::vector<Song> songs{make_song("a", Mood::happy, 0.8f, 0.7f)};
  const Catalogue cat = Catalogue::from_songs(std::move(songs), "tiny.csv");
  CHECK(recommend(cat, "happy").size() == 1);
  CHECK_THAT(fermap::test::thrown<FormatError>([&] { recommend(cat, "sad"); }), Catch::Matchers::Contains("tiny.csv") && Catch::Matchers::Contains("'sad' songs"));
  CHECK_THAT(fermap::test::thrown<ArgumentError>([&] { recommend(cat, "surprise"); }), Catch::Matchers::Contains("'surprise'"));
  RecommendOptions opt;
  opt.count = 0;
  CHECK_THROWS_AS(recommend(cat, "happy", opt), ArgumentError);
  CHECK(parse_recommend_mode("lift") == RecommendMode::lift);
  CHECK_THROWS_AS(parse_recommend_mode("shuffle"), ArgumentError);
}

TEST_CASE("an emotion without a target uses its mood's mean point", "[songs][recommend]") {
  const Catalogue cat = grid_catalogue();
  RecommendOptions opt;
  opt.moods = MoodMap::parse("contempt=calm");
  const MoodPoint p = emotion_target(cat, "contempt", opt);
  CHECK(p.valence == Approx(0.34f).margin(1e-4));
  CHECK(p.energy == Approx(0.2f).margin(1e-4));
  CHECK(recommend(cat, "contempt", opt).size() == 10);
}
