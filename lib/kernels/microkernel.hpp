// Register-blocked micro-kernels: every convolution and matrix product ends in one of these two.
//   tile_product: C[m x n] (=|+=) A[m x K] * B[K x n] (+ bias, ReLU), m <= kMR, n <= kNR.
//                 The kMR x kNR accumulators stay in registers for the whole K loop; each step
//                 loads one row of B (kNV vectors) and broadcasts one element of each row of A.
//   tile_reduce:  C[m x n] += sum over pixels of a[m] (x) b[n] -- the backward-weights product,
//                 where the reduction runs over the pixels of an image rather than over K.
// A is read in place (rows `lda` apart), so a convolution on a zero-padded input needs no im2col:
// K is cut into runs, one per kernel tap, each reading its tap's offset of the padded rows.
// B is either packed into kNR-wide zero-padded panels (pack_panels, ldb = kNR) or read in place.
// What this is not: a general BLAS. There is no K blocking; the shapes here keep a B panel in L2.
#pragma once

#include <cstdint>

#include "kernels/simd.hpp"

namespace fermap::kernels {

constexpr int kMR = simd::kMR;
constexpr int kNR = simd::kNR;

struct TileArgs {
  // Row r of A, run `b`, element i: a[r * lda + a_off[b] + i], i < run_len (a_off null: one run at 0).
  const float* a = nullptr;
  int64_t lda = 0;
  const int64_t* a_off = nullptr;
  int runs = 1, run_len = 0;
  // Row k (= b * run_len + i) of B: b + k * ldb, n floats (kNR readable when packed).
  const float* b = nullptr;
  int64_t ldb = kNR;
  bool b_packed = true;  // B rows hold kNR readable floats (zero beyond n)
  float* c = nullptr;
  int64_t ldc = 0;
  int m = 0, n = 0;
  bool accumulate = false;      // C += product, else C = product
  const float* bias = nullptr;  // n floats added to every row, or null
  bool relu = false;
};
void tile_product(const TileArgs& t);

struct ReduceArgs {
  // A of row r at pixel (y, x): a[y * a_row + x * a_px + a_off[r]], r < m; with a_off null, the
  // rows are consecutive floats (a_off[r] = r), which frees the registers that would hold the
  // offsets -- use it whenever the tile's rows are one run of channels.
  const float* a = nullptr;
  const int64_t* a_off = nullptr;
  int64_t a_row = 0, a_px = 0;
  // B at pixel (y, x): n floats from b + y * b_row + x * b_px.
  const float* b = nullptr;
  int64_t b_row = 0, b_px = 0;
  int rows = 0, cols = 0;
  float* c = nullptr;  // c[r * ldc + j] += sum_{y,x} A_r(y,x) * B(y,x)[j]
  int64_t ldc = 0;
  int m = 0, n = 0;
};
void tile_reduce(const ReduceArgs& t);

// c[n] (=|+=) a[k] * B[k x n], B row-major (rows ldb apart), read in place: the product of one
// row, as a dense layer computes it at batch 1. B's rows are streamed over kWideCols columns at a
// time, so the weights are read in long contiguous runs (a kNR-wide panel at a time would read
// 128-byte pieces of every row, a pattern the hardware prefetchers do not follow).
constexpr int kWideVectors = simd::kLanes == 16 ? 16 : 8;  // accumulators: half the vector registers
constexpr int kWideCols = kWideVectors * simd::kLanes;
void row_product(const float* a, int k, const float* b, int64_t ldb, int n, float* c, bool accumulate);

// Floats needed to pack a k x n matrix into kNR-wide panels.
inline int64_t packed_size(int64_t k, int n) { return (n + kNR - 1) / kNR * static_cast<int64_t>(kNR) * k; }

// Packs rows [k0, k1) of B (k_total x n, element (k, j) = at(k, j)) into panels: panel p holds
// columns [p*kNR, p*kNR + kNR) as k_total rows of kNR floats, zero beyond n. Threads may pack
// disjoint row ranges of the same matrix.
template <class At>
void pack_panels(float* dst, int64_t k_total, int n, int64_t k0, int64_t k1, At&& at) {
  const int panels = (n + kNR - 1) / kNR;
  for (int p = 0; p < panels; ++p) {
    float* panel = dst + p * k_total * kNR;
    const int cols = n - p * kNR < kNR ? n - p * kNR : kNR;
    for (int64_t k = k0; k < k1; ++k) {
      float* row = panel + k * kNR;
      for (int j = 0; j < cols; ++j) row[j] = at(k, p * kNR + j);
      for (int j = cols; j < kNR; ++j) row[j] = 0.0f;
    }
  }
}

}  // namespace fermap::kernels
