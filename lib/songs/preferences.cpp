// lib/songs/preferences.cpp — PreferenceScorer: Gaussian kernels around liked and skipped songs.
#include "fermap/songs/preferences.hpp"

#include <cmath>

#include "fermap/error.hpp"

namespace fermap {

PreferenceScorer::PreferenceScorer(const Catalogue& catalogue, const Preferences& preferences,
                                   const PreferenceOptions& options) {
  if (!(options.radius > 0)) throw ArgumentError("preferences: radius must be > 0");
  inv_two_r2_ = 1.0f / (2.0f * options.radius * options.radius);
  auto collect = [&](const std::unordered_set<std::string>& uris, std::vector<Features>& out) {
    for (const std::string& uri : uris)
      if (const int64_t at = catalogue.index_of(uri); at >= 0)
        out.push_back(similarity_features(catalogue[static_cast<size_t>(at)].features));
  };
  collect(preferences.liked, liked_);
  collect(preferences.skipped, skipped_);
}

float PreferenceScorer::kernel_sum(const Features& x, const std::vector<Features>& anchors) const {
  float sum = 0;
  for (const Features& a : anchors) {
    float d2 = 0;
    for (int i = 0; i < kSimilarityDims; ++i) d2 += (x[i] - a[i]) * (x[i] - a[i]);
    sum += std::exp(-d2 * inv_two_r2_);
  }
  return sum;
}

float PreferenceScorer::score(const Song& song) const {
  if (empty()) return 0.0f;
  const Features x = similarity_features(song.features);
  return kernel_sum(x, liked_) - kernel_sum(x, skipped_);
}

}  // namespace fermap
