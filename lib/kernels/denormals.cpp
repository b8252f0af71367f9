#include "kernels/denormals.hpp"

#include <omp.h>

#if defined(__SSE2__)
#include <xmmintrin.h>
#define FERMAP_HAS_MXCSR 1
#endif

namespace fermap::kernels {

#if FERMAP_HAS_MXCSR
namespace {
constexpr uint32_t kFlushToZero = 0x8000, kDenormalsAreZero = 0x0040;
constexpr uint32_t kFlushBits = kFlushToZero | kDenormalsAreZero;
}  // namespace

FlushDenormals::FlushDenormals() {
  caller_mode_ = _mm_getcsr();
  const int threads = kernel_threads();
  // The team first, the caller after: a worker the runtime starts for this region copies the
  // caller's mode at birth, and must find (and later get back) the program's own mode, not ours.
  if (threads >= 2 && !omp_in_parallel()) {  // inside a region the team is not ours to set
#pragma omp parallel num_threads(threads)
    {
      // Thread 0 is the caller, set below; the workers are the ones the kernels' regions reuse.
      // The team may be smaller than asked for; the destructor restores the threads it had.
      const int t = omp_get_thread_num();
      if (t == 0) {
        team_ = omp_get_num_threads();
      } else {
        team_modes_[t] = _mm_getcsr();
        _mm_setcsr(team_modes_[t] | kFlushBits);
      }
    }
  }
  _mm_setcsr(caller_mode_ | kFlushBits);
}

FlushDenormals::~FlushDenormals() {
  if (team_ > 1) {
#pragma omp parallel num_threads(team_)
    {
      const int t = omp_get_thread_num();
      if (t > 0) _mm_setcsr(team_modes_[t]);
    }
  }
  _mm_setcsr(caller_mode_);
}

bool denormals_flushed() { return (_mm_getcsr() & kFlushBits) == kFlushBits; }

#else

FlushDenormals::FlushDenormals() = default;
FlushDenormals::~FlushDenormals() = default;
bool denormals_flushed() { return false; }

#endif

}  // namespace fermap::kernels
