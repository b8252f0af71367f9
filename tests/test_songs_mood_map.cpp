// Tests for the emotion -> song mood map and the emotion targets / lift path.
#include <catch2/catch.hpp>

#include "fermap/error.hpp"
#include "fermap/songs/mood_map.hpp"
#include "fermap/songs/targets.hpp"
#include "test_songs_support.hpp"

using namespace fermap;

TEST_CASE("the default mood map follows the paper's labels", "[songs][moodmap]") {
  const MoodMap map = MoodMap::defaults();
  CHECK(map.mood_for("happy") == Mood::happy);
  CHECK(map.mood_for("sad") == Mood::sad);
  CHECK(map.mood_for("angry") == Mood::energetic);
  CHECK(map.mood_for("Neutral") == Mood::calm);
  CHECK(map.str() == "angry=energetic,happy=happy,neutral=calm,sad=sad");
}

TEST_CASE("a mood map spec overrides the defaults", "[songs][moodmap]") {
  const MoodMap map = MoodMap::parse(" angry = Calm, sad=happy ,surprise=energetic,");
  CHECK(map.mood_for("angry") == Mood::calm);
  CHECK(map.mood_for("sad") == Mood::happy);
  CHECK(map.mood_for("happy") == Mood::happy);
  CHECK(map.mood_for("surprise") == Mood::energetic);
  const MoodMap empty = MoodMap::parse(" , ", MoodMap());
  CHECK(empty.entries().empty());
}

TEST_CASE("bad mood map specs and unmapped emotions are clear errors", "[songs][moodmap]") {
  CHECK_THAT(fermap::test::thrown<ArgumentError>([&] { MoodMap::parse("angry"); }), Catch::Matchers::Contains("emotion=mood"));
  CHECK_THAT(fermap::test::thrown<ArgumentError>([&] { MoodMap::parse("angry=furious"); }), Catch::Matchers::Contains("'furious'"));
  CHECK_THAT(fermap::test::thrown<ArgumentError>([&] { MoodMap::parse("=calm"); }), Catch::Matchers::Contains("empty emotion"));
  CHECK_THAT(fermap::test::thrown<ArgumentError>([&] { MoodMap::defaults().mood_for("fear"); }), Catch::Matchers::Contains("'fear'") && Catch::Matchers::Contains("angry, happy"));
}

TEST_CASE("every default mapped emotion has a target", "[songs][targets]") {
  const auto targets = default_emotion_targets();
  const MoodMap defaults = MoodMap::defaults();
  for (const auto& [emotion, mood] : defaults.entries()) CHECK(targets.count(emotion) == 1);
  CHECK(targets.at("happy").valence > targets.at("sad").valence);
  CHECK(targets.at("angry").energy > targets.at("sad").energy);
}

TEST_CASE("the lift path walks a negative emotion through calm to the uplift point", "[songs][targets]") {
  const LiftOptions opt;
  const MoodPoint angry{0.25f, 0.85f};
  const std::vector<MoodPoint> path = lift_path(angry, 9, opt);
  REQUIRE(path.size() == 9);
  CHECK(path.front().valence == Approx(angry.valence));
  CHECK(path.back().valence == Approx(opt.uplift.valence));
  CHECK(path.back().energy == Approx(opt.uplift.energy));
  // Energy falls first (calmer), valence rises throughout (happier).
  CHECK(path[2].energy < angry.energy);
  for (size_t i = 1; i < path.size(); ++i) CHECK(path[i].valence >= path[i - 1].valence - 1e-6f);
  float lowest = 1;
  for (const MoodPoint& p : path) lowest = std::min(lowest, p.energy);
  CHECK(lowest < 0.4f);

  const std::vector<MoodPoint> happy = lift_path({0.8f, 0.7f}, 3, opt);
  CHECK(happy[1].valence == Approx((0.8f + opt.uplift.valence) / 2));
  CHECK(lift_path(angry, 1, opt).size() == 1);
  CHECK(lift_path(angry, 0, opt).empty());
}
