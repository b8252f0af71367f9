// GEMM on the register-blocked micro-kernel (single-threaded; the callers own the threads).
// op(A) is read in place, or packed row-major in chunks when transposed; op(B) is read in place,
// or packed into kNR panels when transposed.
#include "kernels/gemm.hpp"

#include <algorithm>

#include "kernels/microkernel.hpp"
#include "kernels/parallel.hpp"

namespace fermap::kernels {

namespace {
constexpr int kChunkRows = 32 * kMR;  // rows of a transposed A packed at a time
constexpr int kRowProductMaxRows = 2;  // up to this many rows of A, B in place: row_product per row
}  // namespace

void gemm(const GemmArgs& g) {
  if (g.m <= 0 || g.n <= 0) return;
  if (g.beta != 0.0f && g.beta != 1.0f)
    for (int i = 0; i < g.m; ++i)
      for (int j = 0; j < g.n; ++j) g.c[static_cast<int64_t>(i) * g.ldc + j] *= g.beta;
  if (g.k <= 0) {
    if (g.beta == 0.0f)
      for (int i = 0; i < g.m; ++i) std::fill(g.c + static_cast<int64_t>(i) * g.ldc, g.c + static_cast<int64_t>(i) * g.ldc + g.n, 0.0f);
    return;
  }
  if (g.m <= kRowProductMaxRows && !g.trans_a && !g.trans_b) {
    for (int i = 0; i < g.m; ++i)
      row_product(g.a + static_cast<int64_t>(i) * g.lda, g.k, g.b, g.ldb, g.n, g.c + static_cast<int64_t>(i) * g.ldc,
                  g.beta != 0.0f);
    return;
  }
  TileArgs t;
  t.runs = 1, t.run_len = g.k, t.ldc = g.ldc, t.accumulate = g.beta != 0.0f;
  const float* b = g.b;
  t.ldb = g.ldb, t.b_packed = false;
  if (g.trans_b) {
    float* packed = thread_scratch(static_cast<size_t>(packed_size(g.k, g.n)), kSlotPackB);
    pack_panels(packed, g.k, g.n, 0, g.k, [&](int64_t p, int j) { return g.b[static_cast<int64_t>(j) * g.ldb + p]; });
    b = packed, t.ldb = kNR, t.b_packed = true;
  }
  const int panels = (g.n + kNR - 1) / kNR;
  for (int i0 = 0; i0 < g.m; i0 += kChunkRows) {
    const int rows = std::min(kChunkRows, g.m - i0);
    const float* a = g.a + static_cast<int64_t>(i0) * g.lda;
    t.lda = g.lda;
    if (g.trans_a) {
      float* pa = thread_scratch(static_cast<size_t>(rows) * g.k, kSlotPackA);
      for (int p = 0; p < g.k; ++p) {
        const float* src = g.a + static_cast<int64_t>(p) * g.lda + i0;
        for (int i = 0; i < rows; ++i) pa[static_cast<int64_t>(i) * g.k + p] = src[i];
      }
      a = pa, t.lda = g.k;
    }
    for (int jp = 0; jp < panels; ++jp) {
      t.b = t.b_packed ? b + static_cast<int64_t>(jp) * g.k * kNR : b + jp * kNR;
      t.n = std::min(kNR, g.n - jp * kNR);
      for (int i = 0; i < rows; i += kMR) {
        t.a = a + static_cast<int64_t>(i) * t.lda;
        t.c = g.c + static_cast<int64_t>(i0 + i) * g.ldc + jp * kNR;
        t.m = std::min(kMR, rows - i);
        tile_product(t);
      }
    }
  }
}

void gemm_parallel(const GemmArgs& g) {
  const int threads = kernel_threads(2.0 * g.m * g.n * g.k);
  const bool split_rows = g.m >= g.n;
  const int unit = split_rows ? kMR : kNR;
  const int64_t units = ((split_rows ? g.m : g.n) + unit - 1) / unit;
  if (threads == 1 || units < 2) return gemm(g);
#pragma omp parallel num_threads(threads)
  {
    int64_t begin, end;
    team_part(units, begin, end);
    const int total = split_rows ? g.m : g.n;
    const int b = static_cast<int>(begin * unit), e = static_cast<int>(std::min<int64_t>(end * unit, total));
    if (e > b) {
      GemmArgs part = g;
      if (split_rows) {
        part.m = e - b;
        part.a = g.trans_a ? g.a + b : g.a + static_cast<int64_t>(b) * g.lda;
        part.c = g.c + static_cast<int64_t>(b) * g.ldc;
      } else {
        part.n = e - b;
        part.b = g.trans_b ? g.b + static_cast<int64_t>(b) * g.ldb : g.b + b;
        part.c = g.c + b;
      }
      gemm(part);
    }
  }
}

void gemm_reference(const GemmArgs& g) {
  for (int i = 0; i < g.m; ++i)
    for (int j = 0; j < g.n; ++j) {
      double s = 0.0;
      for (int p = 0; p < g.k; ++p) {
        const float a = g.trans_a ? g.a[p * g.lda + i] : g.a[i * g.lda + p];
        const float b = g.trans_b ? g.b[j * g.ldb + p] : g.b[p * g.ldb + j];
        s += static_cast<double>(a) * b;
      }
      float& c = g.c[i * g.ldc + j];
      c = static_cast<float>(s + (g.beta == 0.0f ? 0.0 : g.beta * c));
    }
}

}  // namespace fermap::kernels
