// lib/songs/recommender.cpp — the three modes over one scoring scheme: a cost per song (distance,
// preference, exclusion) and a seeded tie-break; random mode uses weighted keys instead of costs.
#include "fermap/songs/recommender.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "fermap/error.hpp"
#include "fermap/rng.hpp"

namespace fermap {

namespace {

constexpr double kExcludedPenalty = 1e6;  // larger than any distance or preference effect

struct Ranked {
  double cost;
  float tie;
  uint32_t index;
  bool operator<(const Ranked& o) const { return cost != o.cost ? cost < o.cost : tie < o.tie; }
};

MoodPoint point_of(const Song& song) { return {song.features.valence, song.features.energy}; }

// Per-song preference score and exclusion, computed once per call for the songs that may be chosen.
struct SongTerms {
  std::vector<float> preference;
  std::vector<char> excluded;
};

SongTerms song_terms(const Catalogue& catalogue, const RecommendOptions& options) {
  SongTerms terms;
  terms.preference.assign(catalogue.size(), 0.0f);
  terms.excluded.assign(catalogue.size(), 0);
  if (!options.preferences.empty()) {
    const PreferenceScorer scorer(catalogue, options.preferences, options.preference);
    for (size_t i = 0; i < catalogue.size(); ++i) terms.preference[i] = scorer.score(catalogue[i]);
  }
  for (const std::string& uri : options.exclude)
    if (const int64_t at = catalogue.index_of(uri); at >= 0) terms.excluded[static_cast<size_t>(at)] = 1;
  return terms;
}

Recommendation make(const Catalogue& catalogue, uint32_t index, const MoodPoint& target, const SongTerms& terms) {
  Recommendation r;
  r.song = catalogue[index];
  r.target = target;
  r.distance = std::sqrt(squared_distance(point_of(r.song), target));
  r.preference = terms.preference[index];
  r.excluded = terms.excluded[index] != 0;
  return r;
}

double cost_of(const Song& song, const MoodPoint& target, uint32_t index, const SongTerms& terms,
               const RecommendOptions& options) {
  return std::sqrt(squared_distance(point_of(song), target)) -
         static_cast<double>(options.preference.weight) * terms.preference[index] +
         (terms.excluded[index] ? kExcludedPenalty : 0.0);
}

std::vector<Recommendation> pick_match(const Catalogue& catalogue, const std::vector<uint32_t>& pool,
                                       const MoodPoint& target, const SongTerms& terms,
                                       const RecommendOptions& options) {
  std::vector<Ranked> ranked;
  ranked.reserve(pool.size());
  for (const uint32_t i : pool)
    ranked.push_back({cost_of(catalogue[i], target, i, terms, options), hash_uniform(options.seed, 2, i), i});
  const size_t n = std::min(ranked.size(), static_cast<size_t>(options.count));
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(n), ranked.end());
  std::vector<Recommendation> out;
  for (size_t k = 0; k < n; ++k) out.push_back(make(catalogue, ranked[k].index, target, terms));
  return out;
}

// Weighted sampling without replacement (Efraimidis-Spirakis): key = log(u) / w, keep the largest.
// Uniform when every weight is equal.
std::vector<Recommendation> pick_random(const Catalogue& catalogue, const std::vector<uint32_t>& pool,
                                        const MoodPoint& target, const SongTerms& terms,
                                        const RecommendOptions& options) {
  std::vector<Ranked> ranked;
  ranked.reserve(pool.size());
  for (const uint32_t i : pool) {
    const double u = static_cast<double>(hash_uniform(options.seed, 1, i)) + 0x1p-25;
    const double w = std::exp(10.0 * options.preference.weight * terms.preference[i]);
    const double key = std::log(u) / w - (terms.excluded[i] ? kExcludedPenalty : 0.0);
    ranked.push_back({-key, 0.0f, i});
  }
  const size_t n = std::min(ranked.size(), static_cast<size_t>(options.count));
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(n), ranked.end());
  std::vector<Recommendation> out;
  for (size_t k = 0; k < n; ++k) out.push_back(make(catalogue, ranked[k].index, target, terms));
  return out;
}

std::vector<Recommendation> pick_lift(const Catalogue& catalogue, const MoodPoint& start, const SongTerms& terms,
                                      const RecommendOptions& options) {
  const int n = static_cast<int>(std::min(catalogue.size(), static_cast<size_t>(options.count)));
  const std::vector<MoodPoint> path = lift_path(start, n, options.lift);
  std::vector<char> used(catalogue.size(), 0);
  std::vector<Recommendation> out;
  for (const MoodPoint& target : path) {
    Ranked best{std::numeric_limits<double>::infinity(), 0.0f, 0};
    for (uint32_t i = 0; i < catalogue.size(); ++i) {
      if (used[i]) continue;
      const Ranked r{cost_of(catalogue[i], target, i, terms, options), hash_uniform(options.seed, 3, i), i};
      if (r < best) best = r;
    }
    used[best.index] = 1;
    out.push_back(make(catalogue, best.index, target, terms));
  }
  return out;
}

}  // namespace

std::string_view mode_name(RecommendMode mode) {
  switch (mode) {
    case RecommendMode::random: return "random";
    case RecommendMode::match: return "match";
    case RecommendMode::lift: return "lift";
  }
  return "?";
}

RecommendMode parse_recommend_mode(std::string_view name) {
  for (const RecommendMode m : {RecommendMode::random, RecommendMode::match, RecommendMode::lift})
    if (name == mode_name(m)) return m;
  throw ArgumentError("unknown recommendation mode '" + std::string(name) + "' (modes: match, lift, random)");
}

MoodPoint emotion_target(const Catalogue& catalogue, std::string_view emotion, const RecommendOptions& options) {
  const Mood mood = options.moods.mood_for(emotion);
  const auto it = options.targets.find(normalise_emotion(emotion));
  if (it != options.targets.end()) return it->second;
  const std::vector<uint32_t>& pool = catalogue.indices_of(mood);
  MoodPoint mean{0.0f, 0.0f};
  for (const uint32_t i : pool) {
    mean.valence += catalogue[i].features.valence;
    mean.energy += catalogue[i].features.energy;
  }
  if (!pool.empty()) {
    mean.valence /= static_cast<float>(pool.size());
    mean.energy /= static_cast<float>(pool.size());
  }
  return mean;
}

std::vector<Recommendation> recommend(const Catalogue& catalogue, std::string_view emotion,
                                      const RecommendOptions& options) {
  if (options.count < 1) throw ArgumentError("recommend: count must be >= 1, got " + std::to_string(options.count));
  const Mood mood = options.moods.mood_for(emotion);
  const std::vector<uint32_t>& pool = catalogue.indices_of(mood);
  if (pool.empty())
    throw FormatError(catalogue.source() + ": no '" + std::string(mood_name(mood)) + "' songs for emotion '" +
                      std::string(emotion) + "'");
  const MoodPoint target = emotion_target(catalogue, emotion, options);
  const SongTerms terms = song_terms(catalogue, options);
  switch (options.mode) {
    case RecommendMode::random: return pick_random(catalogue, pool, target, terms, options);
    case RecommendMode::match: return pick_match(catalogue, pool, target, terms, options);
    case RecommendMode::lift: return pick_lift(catalogue, target, terms, options);
  }
  return {};
}

}  // namespace fermap
