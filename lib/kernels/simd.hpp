// The vector type the micro-kernels are written in, chosen at compile time from the instruction set
// the compiler targets (-march=native with FERMAP_NATIVE=ON, the baseline x86-64 otherwise):
//   AVX-512F  : 16 lanes, micro-tile 12 x 32 (24 accumulators of the 32 zmm registers)
//   AVX2 + FMA:  8 lanes, micro-tile  6 x 16 (12 accumulators of the 16 ymm registers)
//   otherwise :  4 lanes of the GCC/Clang vector extension (SSE2 on x86-64), micro-tile 6 x 8
// Every micro-tile is kMR rows by kNR = 2 vectors of columns.
// Not a general SIMD library: only the operations the kernels use.
#pragma once

#include <algorithm>

#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#include <immintrin.h>
#endif

namespace fermap::kernels::simd {

#if defined(__AVX512F__)

constexpr const char* kIsa = "avx512";
constexpr int kLanes = 16, kMR = 12;
using V = __m512;
inline V zero() { return _mm512_setzero_ps(); }
inline V load(const float* p) { return _mm512_loadu_ps(p); }
inline V broadcast(const float* p) { return _mm512_set1_ps(*p); }
inline V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
inline V add(V a, V b) { return _mm512_add_ps(a, b); }
// maskz form: GCC 12 flags the plain form's undefined pass-through under -Wmaybe-uninitialized.
inline V max(V a, V b) { return _mm512_maskz_max_ps(__mmask16(0xFFFF), a, b); }
inline void store(float* p, V v) { _mm512_storeu_ps(p, v); }
inline __mmask16 mask(int n) { return n >= 16 ? __mmask16(0xFFFF) : n <= 0 ? __mmask16(0) : __mmask16((1u << n) - 1); }
// The first n lanes (0 <= n <= kLanes); lanes beyond n read as zero and are never touched.
inline V load_partial(const float* p, int n) { return _mm512_maskz_loadu_ps(mask(n), p); }
inline void store_partial(float* p, V v, int n) { _mm512_mask_storeu_ps(p, mask(n), v); }

#elif defined(__AVX2__) && defined(__FMA__)

constexpr const char* kIsa = "avx2";
constexpr int kLanes = 8, kMR = 6;
using V = __m256;
inline V zero() { return _mm256_setzero_ps(); }
inline V load(const float* p) { return _mm256_loadu_ps(p); }
inline V broadcast(const float* p) { return _mm256_broadcast_ss(p); }
inline V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
inline V add(V a, V b) { return _mm256_add_ps(a, b); }
inline V max(V a, V b) { return _mm256_max_ps(a, b); }
inline void store(float* p, V v) { _mm256_storeu_ps(p, v); }
inline __m256i mask(int n) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), lane);
}
inline V load_partial(const float* p, int n) { return _mm256_maskload_ps(p, mask(n)); }
inline void store_partial(float* p, V v, int n) { _mm256_maskstore_ps(p, mask(n), v); }

#else

constexpr const char* kIsa = "generic";
// GCC/Clang vector extension: 4 lanes, compiled to whatever the target has (SSE2 on x86-64).
constexpr int kLanes = 4, kMR = 6;
typedef float V __attribute__((vector_size(16)));
inline V zero() { return V{0, 0, 0, 0}; }
inline V load(const float* p) {
  V r;
  __builtin_memcpy(&r, p, sizeof r);
  return r;
}
inline V broadcast(const float* p) { return V{*p, *p, *p, *p}; }
inline V fma(V a, V b, V c) { return a * b + c; }
inline V add(V a, V b) { return a + b; }
inline V max(V a, V b) { return a > b ? a : b; }
inline void store(float* p, V v) { __builtin_memcpy(p, &v, sizeof v); }
inline V load_partial(const float* p, int n) {
  V r = zero();
  for (int i = 0; i < std::min(n, kLanes); ++i) r[i] = p[i];
  return r;
}
inline void store_partial(float* p, V v, int n) {
  for (int i = 0; i < std::min(n, kLanes); ++i) p[i] = v[i];
}

#endif

constexpr int kNV = 2;               // vectors per micro-tile row
constexpr int kNR = kNV * kLanes;    // columns per micro-tile (and per packed panel)

}  // namespace fermap::kernels::simd
