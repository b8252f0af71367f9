// lib/songs/targets.cpp — emotion targets and the lift path.
#include "fermap/songs/targets.hpp"

#include <cmath>

namespace fermap {

float squared_distance(const MoodPoint& a, const MoodPoint& b) {
  const float dv = a.valence - b.valence;
  const float de = a.energy - b.energy;
  return dv * dv + de * de;
}

std::map<std::string, MoodPoint, std::less<>> default_emotion_targets() {
  return {{"happy", {0.80f, 0.70f}},   {"sad", {0.20f, 0.25f}},  {"angry", {0.25f, 0.85f}},
          {"neutral", {0.50f, 0.45f}}, {"fear", {0.25f, 0.65f}}, {"surprise", {0.65f, 0.80f}},
          {"disgust", {0.25f, 0.55f}}};
}

std::vector<MoodPoint> lift_path(const MoodPoint& start, int count, const LiftOptions& options) {
  std::vector<MoodPoint> waypoints{start};
  if (start.valence < options.negative_below) waypoints.push_back(options.calm);
  waypoints.push_back(options.uplift);

  std::vector<float> lengths;
  float total = 0;
  for (size_t i = 1; i < waypoints.size(); ++i) {
    lengths.push_back(std::sqrt(squared_distance(waypoints[i - 1], waypoints[i])));
    total += lengths.back();
  }
  std::vector<MoodPoint> path;
  for (int i = 0; i < count; ++i) {
    float along = count > 1 ? total * static_cast<float>(i) / static_cast<float>(count - 1) : 0.0f;
    size_t seg = 0;
    while (seg + 1 < lengths.size() && along > lengths[seg]) along -= lengths[seg++];
    const float t = lengths[seg] > 0 ? std::fmin(along / lengths[seg], 1.0f) : 0.0f;
    const MoodPoint& a = waypoints[seg];
    const MoodPoint& b = waypoints[seg + 1];
    path.push_back({a.valence + t * (b.valence - a.valence), a.energy + t * (b.energy - a.energy)});
  }
  return path;
}

}  // namespace fermap
