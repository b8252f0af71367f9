// fermap/songs/targets.hpp — where each emotion sits in the (valence, energy) plane of Spotify's audio
// features, and the path "lift my mood" walks from there.
//
// Valence (musical positiveness) and energy (intensity) both run 0..1. The targets are our choice,
// placed as Russell's circumplex places the emotions (pleasant/unpleasant x aroused/calm):
//   happy    (0.80, 0.70)   pleasant, lively
//   sad      (0.20, 0.25)   unpleasant, low energy
//   angry    (0.25, 0.85)   unpleasant, high energy
//   neutral  (0.50, 0.45)   the middle, slightly calm
//   fear     (0.25, 0.65)   surprise (0.65, 0.80)   disgust (0.25, 0.55)   (FER2013's other classes)
// An emotion without a target is given the mean point of the songs of its mood.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace fermap {

struct MoodPoint {
  float valence = 0.5f;
  float energy = 0.5f;
};

float squared_distance(const MoodPoint& a, const MoodPoint& b);

// The table above, keyed by lower-case emotion name.
std::map<std::string, MoodPoint, std::less<>> default_emotion_targets();

// "Lift my mood": a negative emotion (valence below `negative_below`) is walked first toward the calm
// point (lower energy), then on to the uplift point (higher valence, moderate energy); any other
// emotion goes straight to the uplift point.
struct LiftOptions {
  MoodPoint calm{0.40f, 0.30f};
  MoodPoint uplift{0.75f, 0.65f};
  float negative_below = 0.5f;
};

// `count` targets evenly spaced (by length) along the path from `start`; the first is `start`, the
// last the uplift point (count 1: just `start`).
std::vector<MoodPoint> lift_path(const MoodPoint& start, int count, const LiftOptions& options = {});

}  // namespace fermap
