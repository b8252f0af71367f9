// fermap/songs/songs_json.hpp — recommendations as JSON, the shape the command line and web app print.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "fermap/songs/recommender.hpp"

namespace fermap {

// {"uri", "link", "name", "artist", "album" (when known), "mood", "valence", "energy",
//  "target": {"valence", "energy"}, "distance", "preference", "excluded"}
nlohmann::json to_json(const Recommendation& recommendation);
nlohmann::json to_json(const std::vector<Recommendation>& recommendations);

}  // namespace fermap
