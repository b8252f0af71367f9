// The micro-kernels, written once over simd::V and instantiated for every row count 1..kMR, so
// that the accumulators of a tile, however short, are registers.
#include "kernels/microkernel.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace fermap::kernels {

namespace {

using simd::kLanes;
using simd::kNV;
using simd::V;

inline void load_row(const float* p, int n, bool full, V* out) {
#pragma GCC unroll 4
  for (int v = 0; v < kNV; ++v)
    out[v] = full ? simd::load(p + v * kLanes) : simd::load_partial(p + v * kLanes, n - v * kLanes);
}

// C row = (C row if accumulate) + acc (+ bias), ReLU; only the first n columns are written.
inline void store_row(const V* acc, float* c, int n, bool accumulate, const float* bias, bool relu) {
#pragma GCC unroll 4
  for (int v = 0; v < kNV; ++v) {
    const int cols = n - v * kLanes;
    if (cols <= 0) break;
    const bool full = cols >= kLanes;
    float* p = c + v * kLanes;
    V x = acc[v];
    if (accumulate) x = simd::add(x, full ? simd::load(p) : simd::load_partial(p, cols));
    if (bias) x = simd::add(x, full ? simd::load(bias + v * kLanes) : simd::load_partial(bias + v * kLanes, cols));
    if (relu) x = simd::max(x, simd::zero());
    if (full)
      simd::store(p, x);
    else
      simd::store_partial(p, x, cols);
  }
}

template <int M, bool Packed>
void product_kernel(const TileArgs& t) {
  V acc[M][kNV];
#pragma GCC unroll 16
  for (int r = 0; r < M; ++r) {
    // Ask for C's lines now, for writing: they arrive long before the K loop ends.
    __builtin_prefetch(t.c + r * t.ldc, 1);
    __builtin_prefetch(t.c + r * t.ldc + kNR - 1, 1);
#pragma GCC unroll 4
    for (int v = 0; v < kNV; ++v) acc[r][v] = simd::zero();
  }
  const float* b = t.b;
  const int64_t lda = t.lda, ldb = t.ldb;
  for (int run = 0; run < t.runs; ++run) {
    const float* a = t.a + (t.a_off ? t.a_off[run] : 0);
    for (int i = 0; i < t.run_len; ++i, b += ldb) {
      V bv[kNV];
      load_row(b, t.n, Packed, bv);
#pragma GCC unroll 16
      for (int r = 0; r < M; ++r) {
        const V av = simd::broadcast(a + r * lda + i);
#pragma GCC unroll 4
        for (int v = 0; v < kNV; ++v) acc[r][v] = simd::fma(av, bv[v], acc[r][v]);
      }
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < M; ++r) store_row(acc[r], t.c + r * t.ldc, t.n, t.accumulate, t.bias, t.relu);
}

template <int M, bool Full, bool Consecutive>
void reduce_kernel(const ReduceArgs& t) {
  V acc[M][kNV];
  int64_t off[M];
#pragma GCC unroll 16
  for (int r = 0; r < M; ++r) {
    __builtin_prefetch(t.c + r * t.ldc, 1);
    __builtin_prefetch(t.c + r * t.ldc + kNR - 1, 1);
    off[r] = Consecutive ? r : t.a_off[r];
#pragma GCC unroll 4
    for (int v = 0; v < kNV; ++v) acc[r][v] = simd::zero();
  }
  for (int y = 0; y < t.rows; ++y) {
    const float* a = t.a + y * t.a_row;
    const float* b = t.b + y * t.b_row;
    for (int x = 0; x < t.cols; ++x, a += t.a_px, b += t.b_px) {
      V bv[kNV];
      load_row(b, t.n, Full, bv);
#pragma GCC unroll 16
      for (int r = 0; r < M; ++r) {
        const V av = simd::broadcast(a + off[r]);
#pragma GCC unroll 4
        for (int v = 0; v < kNV; ++v) acc[r][v] = simd::fma(av, bv[v], acc[r][v]);
      }
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < M; ++r) store_row(acc[r], t.c + r * t.ldc, t.n, true, nullptr, false);
}

using ProductFn = void (*)(const TileArgs&);
using ReduceFn = void (*)(const ReduceArgs&);

template <bool Packed, std::size_t... I>
constexpr std::array<ProductFn, kMR> product_table(std::index_sequence<I...>) {
  return {&product_kernel<static_cast<int>(I) + 1, Packed>...};
}
template <bool Full, bool Consecutive, std::size_t... I>
constexpr std::array<ReduceFn, kMR> reduce_table(std::index_sequence<I...>) {
  return {&reduce_kernel<static_cast<int>(I) + 1, Full, Consecutive>...};
}

constexpr auto kProductPacked = product_table<true>(std::make_index_sequence<kMR>{});
constexpr auto kProductInPlace = product_table<false>(std::make_index_sequence<kMR>{});
constexpr auto kReduceFull = reduce_table<true, false>(std::make_index_sequence<kMR>{});
constexpr auto kReducePartial = reduce_table<false, false>(std::make_index_sequence<kMR>{});
constexpr auto kReduceFullRun = reduce_table<true, true>(std::make_index_sequence<kMR>{});
constexpr auto kReducePartialRun = reduce_table<false, true>(std::make_index_sequence<kMR>{});

}  // namespace

void tile_product(const TileArgs& t) {
  if (t.m <= 0 || t.n <= 0) return;
  // In-place B rows with all kNR columns present read as fast as packed ones.
  const bool full_rows = t.b_packed || t.n == kNR;
  (full_rows ? kProductPacked : kProductInPlace)[static_cast<size_t>(t.m - 1)](t);
}

void row_product(const float* a, int k, const float* b, int64_t ldb, int n, float* c, bool accumulate) {
  for (int j0 = 0; j0 < n; j0 += kWideCols) {
    const int cols = std::min(kWideCols, n - j0);
    const int vectors = (cols + kLanes - 1) / kLanes;
    V acc[kWideVectors];
#pragma GCC unroll 16
    for (int v = 0; v < kWideVectors; ++v) acc[v] = simd::zero();
    const float* row = b + j0;
    if (cols == kWideCols) {
      for (int p = 0; p < k; ++p, row += ldb) {
        const V av = simd::broadcast(a + p);
#pragma GCC unroll 16
        for (int v = 0; v < kWideVectors; ++v) acc[v] = simd::fma(av, simd::load(row + v * kLanes), acc[v]);
      }
    } else {
      for (int p = 0; p < k; ++p, row += ldb) {
        const V av = simd::broadcast(a + p);
        for (int v = 0; v < vectors; ++v)
          acc[v] = simd::fma(av, simd::load_partial(row + v * kLanes, cols - v * kLanes), acc[v]);
      }
    }
    for (int v = 0; v < vectors; ++v) {
      float* out = c + j0 + v * kLanes;
      const int rest = cols - v * kLanes;
      V x = acc[v];
      if (accumulate) x = simd::add(x, simd::load_partial(out, rest));
      simd::store_partial(out, x, rest);
    }
  }
}

void tile_reduce(const ReduceArgs& t) {
  if (t.m <= 0 || t.n <= 0) return;
  const auto& table = t.a_off ? (t.n == kNR ? kReduceFull : kReducePartial)
                              : (t.n == kNR ? kReduceFullRun : kReducePartialRun);
  table[static_cast<size_t>(t.m - 1)](t);
}

}  // namespace fermap::kernels
