// fermap/songs/preferences.hpp — what a listener liked and skipped, and how that scores other songs.
//
// A liked song raises itself and the songs near it in feature space (similarity_features in
// song.hpp); a skipped one lowers them. The score of a song is
//   sum over liked l of k(song, l)  -  sum over skipped s of k(song, s),   k = exp(-d^2 / (2 r^2))
// with d the Euclidean distance of the scaled features and r the radius, so a liked song scores
// about +1 and a song far from every liked or skipped one about 0. URIs not in the catalogue are
// ignored. Kept in memory here; the web app persists it.
#pragma once

#include <array>
#include <string>
#include <unordered_set>
#include <vector>

#include "fermap/songs/catalogue.hpp"

namespace fermap {

struct Preferences {
  std::unordered_set<std::string> liked;    // Spotify URIs
  std::unordered_set<std::string> skipped;  // Spotify URIs
  bool empty() const { return liked.empty() && skipped.empty(); }
};

struct PreferenceOptions {
  float radius = 0.15f;  // r above, in scaled-feature units
  float weight = 0.3f;   // how much one unit of score moves a song (see recommender.hpp)
};

class PreferenceScorer {
 public:
  PreferenceScorer(const Catalogue& catalogue, const Preferences& preferences, const PreferenceOptions& options = {});
  bool empty() const { return liked_.empty() && skipped_.empty(); }
  float score(const Song& song) const;

 private:
  using Features = std::array<float, kSimilarityDims>;
  float kernel_sum(const Features& x, const std::vector<Features>& anchors) const;

  std::vector<Features> liked_;
  std::vector<Features> skipped_;
  float inv_two_r2_;
};

}  // namespace fermap
