// fermap/face/smoother.hpp — steadies a per-frame emotion: the majority label over the last half second.
// Pure (no video, no OpenCV), so it is tested with made-up timestamps.
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <utility>

namespace fermap {

struct SmootherOptions {
  double window_seconds = 0.5;  // labels older than this (relative to the newest time) are forgotten
};

class EmotionSmoother {
 public:
  explicit EmotionSmoother(const SmootherOptions& options = {});

  // Records `label` seen at `time` (seconds; never decreasing, else ArgumentError) and returns
  // current(): the label seen most often in (time - window, time], a tie going to the latest seen.
  const std::string& add(double time, std::string_view label);
  // Moves the clock without a label (a frame with no face): old labels are dropped.
  void advance(double time);
  // Empty when no label lies in the window.
  const std::string& current() const { return current_; }
  size_t window_size() const { return seen_.size(); }
  void clear();

 private:
  void recompute();

  SmootherOptions options_;
  std::deque<std::pair<double, std::string>> seen_;
  std::string current_;
  double now_ = -1e300;
};

}  // namespace fermap
