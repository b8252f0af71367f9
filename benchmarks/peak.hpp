// This machine's single-precision FMA peak, measured by a loop of independent FMAs that never
// touches memory, so that every kernel figure can be printed as a percentage of it.
// Header-only: each benchmark executable includes it.
#pragma once

#include <chrono>
#include <cstdint>

#include <omp.h>

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

namespace fermap::bench {

namespace detail {

// Runs `iters` rounds of kChains independent FMA chains on the widest vector; returns flops.
#if defined(__AVX512F__)
using Reg = __m512;
constexpr int kLanes = 16;
inline Reg reg_set(float v) { return _mm512_set1_ps(v); }
inline Reg reg_fma(Reg a, Reg b, Reg c) { return _mm512_fmadd_ps(a, b, c); }
inline float reg_sum(Reg a) {
  alignas(64) float t[16];
  _mm512_store_ps(t, a);
  float s = 0;
  for (float v : t) s += v;
  return s;
}
#elif defined(__AVX2__) && defined(__FMA__)
using Reg = __m256;
constexpr int kLanes = 8;
inline Reg reg_set(float v) { return _mm256_set1_ps(v); }
inline Reg reg_fma(Reg a, Reg b, Reg c) { return _mm256_fmadd_ps(a, b, c); }
inline float reg_sum(Reg a) {
  alignas(32) float t[8];
  _mm256_store_ps(t, a);
  float s = 0;
  for (float v : t) s += v;
  return s;
}
#else
struct Reg {
  float v[8];
};
constexpr int kLanes = 8;
inline Reg reg_set(float v) {
  Reg r;
  for (float& x : r.v) x = v;
  return r;
}
inline Reg reg_fma(Reg a, Reg b, Reg c) {
  for (int i = 0; i < 8; ++i) c.v[i] += a.v[i] * b.v[i];
  return c;
}
inline float reg_sum(Reg a) {
  float s = 0;
  for (float x : a.v) s += x;
  return s;
}
#endif

constexpr int kChains = 12;  // > latency x throughput on every current x86 core

// noinline, and the result passes through an asm barrier: otherwise the compiler may move this
// pure arithmetic past the clock reads around it.
__attribute__((noinline)) inline double fma_loop(int64_t iters, float seed, float* sink) {
  Reg acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = reg_set(seed * static_cast<float>(c + 1));
  const Reg a = reg_set(0.999999f), b = reg_set(1e-7f);
  for (int64_t i = 0; i < iters; ++i) {
#pragma GCC unroll 12
    for (int c = 0; c < kChains; ++c) acc[c] = reg_fma(acc[c], a, b);
  }
  float s = 0;
  for (int c = 0; c < kChains; ++c) s += reg_sum(acc[c]);
  asm volatile("" : "+x"(s) : : "memory");
  *sink = s;  // keeps the loop alive
  return 2.0 * kLanes * kChains * static_cast<double>(iters);
}

}  // namespace detail

// GFLOP/s of `threads` threads running the FMA loop at once (best of a few repetitions).
inline double measure_fma_peak(int threads, double seconds_per_rep = 0.2, int reps = 5) {
  double best = 0;
  for (int rep = 0; rep < reps; ++rep) {
    // Calibrate once: iterations for ~seconds_per_rep on one thread.
    static int64_t iters = 0;
    float sink = 0;
    if (iters == 0) {
      int64_t n = 1 << 16;
      for (;;) {
        const auto t0 = std::chrono::steady_clock::now();
        detail::fma_loop(n, 1.0f, &sink);
        const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (dt > 0.02 || n > (int64_t{1} << 40)) {
          iters = static_cast<int64_t>(static_cast<double>(n) * seconds_per_rep / dt);
          break;
        }
        n *= 2;
      }
    }
    double flops = 0;
    const auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(threads) reduction(+ : flops)
    {
      float s = 0;
      flops += detail::fma_loop(iters, static_cast<float>(omp_get_thread_num() + 1), &s);
      if (s == 12345.0f) flops += 1;  // never true; uses s
    }
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double g = flops / dt * 1e-9;
    if (g > best) best = g;
    (void)sink;
  }
  return best;
}

}  // namespace fermap::bench
