// A progress bar for long work: done/total, rate, time left and a caller's status text. On a
// terminal it redraws one line; otherwise it prints a line every few seconds (logs stay readable).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace fermap {

class Progress {
 public:
  // `already_done` units were done before this bar started (a resumed epoch): they count towards
  // the percentage but not towards the rate or the time left.
  Progress(std::string label, int64_t total, int64_t already_done = 0, const char* unit = "img", std::FILE* out = stderr);
  // Records that `done` units are complete and shows `status` (e.g. "loss 0.81 acc 0.70").
  void update(int64_t done, const std::string& status = "");
  void finish(const std::string& status = "");

 private:
  void draw(const std::string& status, bool final);

  std::string label_;
  int64_t total_, done_, done_at_start_;
  const char* unit_;
  std::FILE* out_;
  bool tty_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// "1h02m", "3m05s", "12s".
std::string format_duration(double seconds);

}  // namespace fermap
