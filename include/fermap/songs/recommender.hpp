// fermap/songs/recommender.hpp — from a detected emotion to N songs of the catalogue.
//
// Modes:
//   random  the paper's: uniform draw among the songs of the emotion's mood (MoodMap).
//   match   "match my mood": the songs of the emotion's mood closest, in (valence, energy), to the
//           emotion's target point (targets.hpp), closest first.
//   lift    "lift my mood": song i is the one of the whole catalogue closest to the i-th point of
//           lift_path (targets.hpp), so a sad or angry listener is walked toward calmer, then
//           happier songs.
// Every mode returns min(count, pool size) distinct songs and is reproducible for a given seed (which
// breaks ties in match and lift). Songs in `exclude` (recently played) come only after every other
// song of the pool. With preferences, a song's score s (preferences.hpp) lowers its cost by
// weight * s in match and lift, and multiplies its chance by exp(10 * weight * s) in random.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "fermap/songs/catalogue.hpp"
#include "fermap/songs/mood_map.hpp"
#include "fermap/songs/preferences.hpp"
#include "fermap/songs/targets.hpp"

namespace fermap {

enum class RecommendMode { random, match, lift };
std::string_view mode_name(RecommendMode mode);
RecommendMode parse_recommend_mode(std::string_view name);  // ArgumentError for anything else

struct RecommendOptions {
  RecommendMode mode = RecommendMode::match;
  int count = 10;
  uint64_t seed = 0;
  MoodMap moods = MoodMap::defaults();
  std::map<std::string, MoodPoint, std::less<>> targets = default_emotion_targets();
  LiftOptions lift;
  std::unordered_set<std::string> exclude;  // URIs played recently
  Preferences preferences;
  PreferenceOptions preference;
};

struct Recommendation {
  Song song;
  MoodPoint target;         // the point the song was chosen for (the emotion's target in random)
  float distance = 0;       // from the song's (valence, energy) to `target`
  float preference = 0;     // the song's preference score, 0 without preferences
  bool excluded = false;    // it was in `exclude`: nothing else was left
};

// The emotion's point: options.targets, else the mean (valence, energy) of its mood's songs.
// ArgumentError when the emotion is not in options.moods.
MoodPoint emotion_target(const Catalogue& catalogue, std::string_view emotion, const RecommendOptions& options);

// ArgumentError for an emotion missing from options.moods or count < 1; FormatError (naming the
// catalogue) when the emotion's mood has no songs.
std::vector<Recommendation> recommend(const Catalogue& catalogue, std::string_view emotion,
                                      const RecommendOptions& options = {});

}  // namespace fermap
