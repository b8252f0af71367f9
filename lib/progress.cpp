#include "fermap/progress.hpp"

#include <unistd.h>

#include <algorithm>

namespace fermap {

std::string format_duration(double seconds) {
  const long s = static_cast<long>(std::max(seconds, 0.0) + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
  else if (s >= 60)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lds", s);
  return buf;
}

Progress::Progress(std::string label, int64_t total, int64_t already_done, const char* unit, std::FILE* out)
    : label_(std::move(label)), total_(std::max<int64_t>(total, 1)), done_(already_done), done_at_start_(already_done),
      unit_(unit), out_(out),
      tty_(isatty(fileno(out)) != 0), start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

void Progress::update(int64_t done, const std::string& status) {
  done_ = done;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_draw_).count();
  if (since < (tty_ ? 0.2 : 10.0)) return;
  last_draw_ = now;
  draw(status, false);
}

void Progress::finish(const std::string& status) {
  done_ = total_;
  draw(status, true);
}

void Progress::draw(const std::string& status, bool final) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done_ - done_at_start_) / elapsed : 0.0;
  const double left = rate > 0 ? static_cast<double>(total_ - done_) / rate : 0.0;
  constexpr int kWidth = 24;
  const int filled = static_cast<int>(kWidth * std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_)));
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(kWidth, '.');
  std::fprintf(out_, "%s%s [%s] %3d%% %.0f %s/s %s %s%s", tty_ ? "\r\033[K" : "", label_.c_str(), bar.c_str(),
               static_cast<int>(100.0 * static_cast<double>(done_) / static_cast<double>(total_)), rate, unit_,
               final ? ("in " + format_duration(elapsed)).c_str() : ("eta " + format_duration(left)).c_str(),
               status.c_str(), (!tty_ || final) ? "\n" : "");
  std::fflush(out_);
}

}  // namespace fermap
