// Helpers for the kernel tests: seeded random buffers, an element-wise comparison with a
// tolerance, and running a check at 1 and 2 threads (the partitions differ) and inside a parallel region.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <omp.h>

#include <catch2/catch.hpp>

namespace fermap::test {

inline std::vector<float> random_vector(size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// Largest |a - b| / max(1, |b|): the fast kernel must equal its reference within 1e-4 of this.
inline double max_rel_diff(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = std::fabs(static_cast<double>(a[i]) - b[i]) / std::max(1.0, std::fabs(static_cast<double>(b[i])));
    if (!(d <= m)) m = d;  // NaN propagates as a failure
  }
  return m;
}

constexpr double kTolerance = 1e-4;

// Runs fn() with 1 thread, with 2, and with 2 asked for but a team of 1 given: what a kernel
// called from inside another parallel region gets (the runtime does not nest teams unless told
// to), so its parts must follow the team it has, not the count it asked for. Restores the settings.
template <class Fn>
void at_thread_counts(Fn&& fn) {
  const int saved = omp_get_max_threads(), saved_levels = omp_get_max_active_levels();
  for (int threads : {1, 2}) {
    omp_set_num_threads(threads);
    INFO("threads " << threads);
    fn();
  }
  omp_set_max_active_levels(1);
#pragma omp parallel num_threads(2)
#pragma omp master
  {
    INFO("inside a parallel region: 2 threads asked for, a team of 1 given");
    fn();
  }
  omp_set_max_active_levels(saved_levels);
  omp_set_num_threads(saved);
}

}  // namespace fermap::test
