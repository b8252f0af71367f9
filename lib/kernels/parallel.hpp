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

// Inside a parallel region: the calling thread's part of [0, total) when it is split among the
// threads the team really has. OpenMP may give a region fewer threads than num_threads() asked for
// (a region inside another parallel region, OMP_DYNAMIC, OMP_THREAD_LIMIT); a split by the count
// asked for would then leave parts undone.
void team_part(int64_t total, int64_t& begin, int64_t& end);

// Upper bound on the threads a kernel shares data between (arrays of per-thread pointers).
constexpr int kMaxThreads = 256;
// Threads an OpenMP parallel region of a kernel will use: max_threads(), at most kMaxThreads.
int kernel_threads();

// Element-wise loops shorter than this run on the calling thread: starting a parallel region
// costs more than they do (and far more when other processes hold the cores).
constexpr int64_t kParallelMinElements = int64_t{1} << 18;
// The same bound for kernels, in floating-point operations (~0.2 ms of one core): below it the
// cost of waking a second thread, large when other processes hold the cores, is not repaid.
constexpr double kParallelMinFlops = 16.0e6;
// Threads for a kernel of `flops` operations: 1 when it is too small to share.
inline int kernel_threads(double flops) { return flops < kParallelMinFlops ? 1 : kernel_threads(); }
// Threads for a pass over `elements` floats.
inline int element_threads(int64_t elements) { return elements >= kParallelMinElements ? kernel_threads() : 1; }

// Scratch slots: buffers one kernel needs at the same time.
enum ScratchSlot : int {
  kSlotInput = 0,    // per thread: padded input rows, patch gradients
  kSlotPartial = 1,  // per thread: partial sums of a reduction
  kSlotPackA = 2,    // per thread: a packed left operand
  kSlotPackB = 3,    // per thread: a packed right operand
  kSlotShared = 4,   // the calling thread's, handed to the whole team (packed weights, partials)
};
constexpr int kScratchSlots = 5;

// A 64-byte aligned buffer of at least `floats` floats owned by the calling thread. Grows, never
// shrinks: after the first training step no kernel allocates.
float* thread_scratch(size_t floats, int slot);

// The same buffer seen as `count` doubles (64-byte alignment suits both).
inline double* thread_scratch_doubles(size_t count, int slot) {
  return reinterpret_cast<double*>(thread_scratch(2 * count, slot));
}

}  // namespace fermap::kernels
