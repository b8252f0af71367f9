// lib/songs/songs_json.cpp — Recommendation to JSON.
#include "fermap/songs/songs_json.hpp"

#include <cmath>

namespace fermap {

namespace {

// Features are floats; printed as doubles they would show float noise (0.699999988).
double round6(float v) { return std::round(static_cast<double>(v) * 1e6) / 1e6; }

}  // namespace

nlohmann::json to_json(const Recommendation& r) {
  nlohmann::json j = {{"uri", r.song.uri}, {"link", r.song.link()}};
  if (!r.song.name.empty()) j["name"] = r.song.name;
  if (!r.song.artist.empty()) j["artist"] = r.song.artist;
  if (!r.song.album.empty()) j["album"] = r.song.album;
  j["mood"] = std::string(mood_name(r.song.mood));
  j["valence"] = round6(r.song.features.valence);
  j["energy"] = round6(r.song.features.energy);
  j["target"] = {{"valence", round6(r.target.valence)}, {"energy", round6(r.target.energy)}};
  j["distance"] = round6(r.distance);
  j["preference"] = round6(r.preference);
  j["excluded"] = r.excluded;
  return j;
}

nlohmann::json to_json(const std::vector<Recommendation>& recommendations) {
  nlohmann::json list = nlohmann::json::array();
  for (const Recommendation& r : recommendations) list.push_back(to_json(r));
  return list;
}

}  // namespace fermap
