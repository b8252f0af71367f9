#include "kernels/parallel.hpp"

#include <cstdlib>
#include <memory>
#include <new>

#include <omp.h>

namespace fermap::kernels {

int max_threads() { return omp_get_max_threads(); }

int kernel_threads() {
  const int t = omp_get_max_threads();
  return t < kMaxThreads ? t : kMaxThreads;
}

void team_part(int64_t total, int64_t& begin, int64_t& end) {
  split_range(total, omp_get_num_threads(), omp_get_thread_num(), begin, end);
}

namespace {
struct FreeDeleter {
  void operator()(float* p) const { std::free(p); }
};
struct Scratch {
  std::unique_ptr<float[], FreeDeleter> data;
  size_t capacity = 0;
};
}  // namespace

float* thread_scratch(size_t floats, int slot) {
  thread_local Scratch buffers[kScratchSlots];
  Scratch& s = buffers[slot];
  if (floats > s.capacity) {
    const size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
    float* p = static_cast<float*>(std::aligned_alloc(64, bytes));
    if (!p) throw std::bad_alloc();
    s.data.reset(p);
    s.capacity = bytes / sizeof(float);
  }
  return s.data.get();
}

}  // namespace fermap::kernels
