// GEMM through Eigen's blocked, vectorised product (single-threaded; we own the threads).
#include "kernels/gemm.hpp"

#include <Eigen/Core>

#include <omp.h>

#include "kernels/parallel.hpp"

namespace fermap::kernels {

namespace {
using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ColMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
using Stride = Eigen::OuterStride<>;
using ConstRowMap = Eigen::Map<const RowMat, 0, Stride>;
using ConstColMap = Eigen::Map<const ColMat, 0, Stride>;
using RowMap = Eigen::Map<RowMat, 0, Stride>;

// A row-major matrix stored transposed is a column-major matrix of the wanted shape.
template <class Fn>
void with_operand(bool trans, const float* p, int rows, int cols, int ld, Fn&& fn) {
  if (trans)
    fn(ConstColMap(p, rows, cols, Stride(ld)));
  else
    fn(ConstRowMap(p, rows, cols, Stride(ld)));
}
}  // namespace

void gemm(const GemmArgs& g) {
  if (g.m == 0 || g.n == 0) return;
  RowMap c(g.c, g.m, g.n, Stride(g.ldc));
  if (g.k == 0) {
    if (g.beta == 0.0f) c.setZero(); else c *= g.beta;
    return;
  }
  with_operand(g.trans_a, g.a, g.m, g.k, g.lda, [&](const auto& a) {
    with_operand(g.trans_b, g.b, g.k, g.n, g.ldb, [&](const auto& b) {
      if (g.beta == 0.0f) {
        c.noalias() = a * b;
      } else {
        if (g.beta != 1.0f) c *= g.beta;
        c.noalias() += a * b;
      }
    });
  });
}

void gemm_parallel(const GemmArgs& g) {
  const int threads = max_threads();
  const bool split_rows = g.m >= g.n;
  const int64_t total = split_rows ? g.m : g.n;
  if (threads == 1 || total < 2 * threads) return gemm(g);
#pragma omp parallel num_threads(threads)
  {
    int64_t begin, end;
    split_range(total, threads, omp_get_thread_num(), begin, end);
    GemmArgs part = g;
    const int b = static_cast<int>(begin), len = static_cast<int>(end - begin);
    if (split_rows) {
      part.m = len;
      part.a = g.trans_a ? g.a + b : g.a + static_cast<int64_t>(b) * g.lda;
      part.c = g.c + static_cast<int64_t>(b) * g.ldc;
    } else {
      part.n = len;
      part.b = g.trans_b ? g.b + static_cast<int64_t>(b) * g.ldb : g.b + b;
      part.c = g.c + b;
    }
    gemm(part);
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
