// lib/songs/songs_json.cpp — Recommendation to JSON.
#include "fermap/songs/songs_json.hpp"

namespace fermap {

nlohmann::json to_json(const Recommendation& r) {
  nlohmann::json j = {{"uri", r.song.uri}, {"link", r.song.link()}};
  if (!r.song.name.empty()) j["name"] = r.song.name;
  if (!r.song.artist.empty()) j["artist"] = r.song.artist;
  if (!r.song.album.empty()) j["album"] = r.song.album;
  j["mood"] = std::string(mood_name(r.song.mood));
  j["valence"] = r.song.features.valence;
  j["energy"] = r.song.features.energy;
  j["target"] = {{"valence", r.target.valence}, {"energy", r.target.energy}};
  j["distance"] = r.distance;
  j["preference"] = r.preference;
  j["excluded"] = r.excluded;
  return j;
}

nlohmann::json to_json(const std::vector<Recommendation>& recommendations) {
  nlohmann::json list = nlohmann::json::array();
  for (const Recommendation& r : recommendations) list.push_back(to_json(r));
  return list;
}

}  // namespace fermap
