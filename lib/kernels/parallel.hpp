// Thread helpers for kernels: static work partitions (so results depend only on the thread
// count, never on timing) and per-thread scratch buffers that grow once and are then reused.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fermap::kernels {

// Threads an OpenMP parallel region will use.
int max_threads();

// [begin, end) of part `part` when `total` items are cut into `parts` near-equal parts.
inline void split_range(int64_t total, int parts, int part, int64_t& begin, int64_t& end) {
  const int64_t base = total / parts, extra = total % parts;
  begin = part * base + (part < extra ? part : extra);
  end = begin + base + (part < extra ? 1 : 0);
}

// A 64-byte aligned buffer of at least `floats` floats owned by the calling thread. `slot`
// separates buffers a kernel needs at the same time (0..3). Grows, never shrinks: after the
// first training step no kernel allocates.
float* thread_scratch(size_t floats, int slot);

}  // namespace fermap::kernels
