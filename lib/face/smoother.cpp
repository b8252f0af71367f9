// lib/face/smoother.cpp — EmotionSmoother: a time-windowed majority vote.
#include "fermap/face/smoother.hpp"

#include <map>

#include "fermap/error.hpp"

namespace fermap {

EmotionSmoother::EmotionSmoother(const SmootherOptions& options) : options_(options) {
  if (!(options_.window_seconds > 0)) throw ArgumentError("emotion smoother: window_seconds must be > 0");
}

void EmotionSmoother::advance(double time) {
  if (time < now_)
    throw ArgumentError("emotion smoother: time went back from " + std::to_string(now_) + " to " +
                        std::to_string(time));
  now_ = time;
  const size_t before = seen_.size();
  while (!seen_.empty() && seen_.front().first <= now_ - options_.window_seconds) seen_.pop_front();
  if (seen_.size() != before) recompute();
}

const std::string& EmotionSmoother::add(double time, std::string_view label) {
  advance(time);
  seen_.emplace_back(time, std::string(label));
  recompute();
  return current_;
}

void EmotionSmoother::clear() {
  seen_.clear();
  current_.clear();
  now_ = -1e300;
}

void EmotionSmoother::recompute() {
  // Count per label; among the most frequent, the one whose latest sighting is newest wins.
  std::map<std::string_view, std::pair<int, size_t>> tally;  // label -> (count, last position)
  for (size_t i = 0; i < seen_.size(); ++i) {
    auto& [count, last] = tally[seen_[i].second];
    ++count;
    last = i;
  }
  std::string_view best;
  std::pair<int, size_t> best_score{0, 0};
  for (const auto& [label, score] : tally)
    if (score > best_score) {
      best_score = score;
      best = label;
    }
  current_ = std::string(best);
}

}  // namespace fermap
