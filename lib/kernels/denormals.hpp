// Denormal floats flushed to zero while the engine computes.
//
// Numbers below 1.2e-38 ("denormals") take a slow microcode path on many x86 processors: on the
// Intel Xeon of session 9, evaluating a trained custom CNN on the 5,212 test faces took 99 s
// against 5 s with them flushed (docs/benchmarks.md), because trained weights and activations
// reach that range. Flush-to-zero (FTZ) and denormals-are-zero (DAZ) treat them as 0, as inference engines
// commonly do; no result the engine reports depends on values that small.
//
// The mode is a per-thread register (MXCSR), so the guard sets it on the calling thread and on
// the OpenMP team the kernels will use, and puts every thread's previous mode back when it ends:
// a program that calls the engine keeps its own floating-point mode. Guards nest.
// Elsewhere than x86 the guard does nothing.
#pragma once

#include <cstdint>

#include "kernels/parallel.hpp"

namespace fermap::kernels {

class FlushDenormals {
 public:
  FlushDenormals();
  ~FlushDenormals();
  FlushDenormals(const FlushDenormals&) = delete;
  FlushDenormals& operator=(const FlushDenormals&) = delete;

 private:
  uint32_t caller_mode_ = 0;
  int team_ = 0;  // threads of the team whose modes were saved (0: the caller's alone)
  uint32_t team_modes_[kMaxThreads] = {};
};

// Whether the calling thread flushes denormals now (for tests).
bool denormals_flushed();

}  // namespace fermap::kernels
