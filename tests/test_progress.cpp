// The progress bar's text: percentage, rate and time, including a bar started part-way (a resumed
// epoch), whose earlier units must not inflate the rate.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "fermap/progress.hpp"

namespace {

// Runs `body` with a Progress writing into a temporary file (not a terminal: one line per draw)
// and returns what it wrote.
template <typename Body>
std::string captured(Body body) {
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  body(file);
  std::string text(static_cast<size_t>(std::ftell(file)), '\0');
  std::rewind(file);
  REQUIRE(std::fread(text.data(), 1, text.size(), file) == text.size());
  std::fclose(file);
  return text;
}

// The "N img/s" figure of a finished bar's line.
double rate_in(const std::string& line) {
  const size_t unit = line.find(" img/s");
  REQUIRE(unit != std::string::npos);
  const size_t start = line.rfind(' ', unit - 1) + 1;
  return std::stod(line.substr(start, unit - start));
}

}  // namespace

TEST_CASE("format_duration writes seconds, minutes and hours", "[progress]") {
  CHECK(fermap::format_duration(0) == "0s");
  CHECK(fermap::format_duration(59.4) == "59s");
  CHECK(fermap::format_duration(125) == "2m05s");
  CHECK(fermap::format_duration(3600 + 2 * 60 + 59) == "1h02m");
  CHECK(fermap::format_duration(-3) == "0s");
}

TEST_CASE("a finished bar shows its label, 100 %, the rate, the time taken and the status", "[progress]") {
  const std::string text = captured([](std::FILE* out) {
    fermap::Progress bar("epoch 1/3", 200, 0, "img", out);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    bar.finish("loss 0.5");
  });
  CHECK(text.rfind("epoch 1/3 [########################] 100% ", 0) == 0);
  // The time taken is a few tens of milliseconds, but a loaded machine may round it up to "1s".
  CHECK_THAT(text, Catch::Matches(".* in [01]s loss 0\\.5\n"));
  // 200 images in at least 50 ms: at most 4,000 per second.
  CHECK(rate_in(text) > 0);
  CHECK(rate_in(text) <= 4000);
}

TEST_CASE("a bar resumed part-way counts only the units done since it started in its rate", "[progress]") {
  // 990 of 1,000 were done before the bar started; 10 more take at least 50 ms, so the rate is at
  // most 200 per second. Counting the 990 as well would report about 20,000.
  const std::string text = captured([](std::FILE* out) {
    fermap::Progress bar("epoch 4/60", 1000, 990, "img", out);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    bar.finish();
  });
  CHECK(text.find("100%") != std::string::npos);
  CHECK(rate_in(text) > 0);
  CHECK(rate_in(text) <= 200);
}
