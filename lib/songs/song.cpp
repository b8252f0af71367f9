// lib/songs/song.cpp — mood names, Spotify ids and links, similarity features.
#include "fermap/songs/song.hpp"

#include <algorithm>
#include <cctype>

namespace fermap {

namespace {

constexpr std::string_view kMoodNames[kMoodCount] = {"sad", "happy", "energetic", "calm"};
constexpr std::string_view kUriPrefix = "spotify:track:";
constexpr std::string_view kLinkPrefix = "https://open.spotify.com/track/";

bool is_track_id(std::string_view s) {
  return !s.empty() && s.size() <= 64 &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
}

float clamp01(float v) { return std::clamp(v, 0.0f, 1.0f); }

}  // namespace

std::string_view mood_name(Mood mood) { return kMoodNames[static_cast<int>(mood)]; }

std::optional<Mood> parse_mood(std::string_view name) {
  for (int m = 0; m < kMoodCount; ++m) {
    const std::string_view want = kMoodNames[m];
    if (name.size() == want.size() &&
        std::equal(name.begin(), name.end(), want.begin(),
                   [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; }))
      return static_cast<Mood>(m);
  }
  return std::nullopt;
}

std::string_view Song::id() const {
  const std::string_view u = uri;
  const size_t colon = u.rfind(':');
  return colon == std::string_view::npos ? u : u.substr(colon + 1);
}

std::string Song::link() const { return std::string(kLinkPrefix) + std::string(id()); }

std::optional<std::string> spotify_track_id(std::string_view ref) {
  if (ref.substr(0, kUriPrefix.size()) == kUriPrefix) {
    ref.remove_prefix(kUriPrefix.size());
  } else if (ref.substr(0, kLinkPrefix.size()) == kLinkPrefix) {
    ref.remove_prefix(kLinkPrefix.size());
    ref = ref.substr(0, ref.find_first_of("?#/"));
  }
  if (!is_track_id(ref)) return std::nullopt;
  return std::string(ref);
}

std::array<float, kSimilarityDims> similarity_features(const SongFeatures& f) {
  return {clamp01(f.danceability), clamp01(f.energy),     clamp01(f.valence),
          clamp01(f.acousticness), clamp01(f.instrumentalness), clamp01(f.liveness),
          clamp01(f.speechiness),  clamp01(f.tempo / 250.0f), clamp01((f.loudness + 60.0f) / 60.0f)};
}

}  // namespace fermap
