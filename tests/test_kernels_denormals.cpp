// The denormal guard: flush-to-zero on the caller and on the kernels' OpenMP team while it lives,
// and every thread's own mode back when it ends.
#include <catch2/catch.hpp>

#include <omp.h>

#include <thread>
#include <vector>

#include "kernels/denormals.hpp"
#include "kernels/parallel.hpp"

using namespace fermap::kernels;

#if defined(__SSE2__)
namespace {
// Whether each thread of a team the size the kernels use flushes denormals now.
std::vector<int> team_flushes() {
  const int threads = kernel_threads();
  std::vector<int> flushed(static_cast<size_t>(threads), -1);
#pragma omp parallel num_threads(threads)
  flushed[static_cast<size_t>(omp_get_thread_num())] = denormals_flushed() ? 1 : 0;
  return flushed;
}

// x * 1 computed at run time (volatile: no constant folding).
float times_one(float x) {
  volatile float v = x;
  return v * 1.0f;
}

constexpr float kDenormal = 1e-39f;  // below the smallest normal float, 1.18e-38
}  // namespace

TEST_CASE("FlushDenormals flushes on the caller and its team, then restores both", "[kernels]") {
  const std::vector<int> none(static_cast<size_t>(kernel_threads()), 0), all(none.size(), 1);
  REQUIRE_FALSE(denormals_flushed());
  REQUIRE(team_flushes() == none);
  REQUIRE(times_one(kDenormal) == kDenormal);
  {
    const FlushDenormals flush;
    CHECK(denormals_flushed());
    CHECK(team_flushes() == all);
    CHECK(times_one(kDenormal) == 0.0f);
    CHECK(times_one(1e-30f) == 1e-30f);  // normal numbers are untouched
  }
  CHECK_FALSE(denormals_flushed());
  CHECK(team_flushes() == none);
  CHECK(times_one(kDenormal) == kDenormal);
}

TEST_CASE("FlushDenormals leaves the workers it starts in the program's mode", "[kernels]") {
  // A thread new to OpenMP gets its own team, whose workers the guard's first region starts: they
  // copy their starting thread's mode at birth, which must be the program's, not the guard's.
  std::vector<int> after;
  std::thread([&after] {
    { const FlushDenormals flush; }
    after = team_flushes();
  }).join();
  CHECK(after == std::vector<int>(static_cast<size_t>(kernel_threads()), 0));
}

TEST_CASE("FlushDenormals guards nest", "[kernels]") {
  {
    const FlushDenormals outer;
    {
      const FlushDenormals inner;
      CHECK(denormals_flushed());
    }
    CHECK(denormals_flushed());  // the inner guard put back the outer one's mode
    CHECK(team_flushes() == std::vector<int>(static_cast<size_t>(kernel_threads()), 1));
  }
  CHECK_FALSE(denormals_flushed());
}
#endif
