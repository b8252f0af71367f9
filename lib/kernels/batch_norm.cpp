#include "kernels/batch_norm.hpp"

#include <algorithm>
#include <vector>

#include <omp.h>

#include "kernels/parallel.hpp"

namespace fermap::kernels {

namespace {
// Sums f(row) -> two per-channel double accumulators over all rows, thread-partitioned, then
// added in thread order so the result depends only on the thread count.
template <class RowFn>
void reduce_channels(int64_t rows, int c, double* out_a, double* out_b, RowFn&& row_fn) {
  const int threads = max_threads();
  std::vector<double> partial(static_cast<size_t>(threads) * 2 * c, 0.0);
#pragma omp parallel num_threads(threads)
  {
    const int tid = omp_get_thread_num();
    double* a = partial.data() + static_cast<size_t>(tid) * 2 * c;
    double* b = a + c;
    int64_t r0, r1;
    split_range(rows, threads, tid, r0, r1);
    for (int64_t r = r0; r < r1; ++r) row_fn(r, a, b);
  }
  std::fill(out_a, out_a + c, 0.0);
  std::fill(out_b, out_b + c, 0.0);
  for (int t = 0; t < threads; ++t)
    for (int k = 0; k < c; ++k) {
      out_a[k] += partial[static_cast<size_t>(t) * 2 * c + k];
      out_b[k] += partial[static_cast<size_t>(t) * 2 * c + c + k];
    }
}
}  // namespace

void batch_norm_statistics(int64_t rows, int c, const float* x, float* mean, float* var) {
  std::vector<double> sum(static_cast<size_t>(c)), unused(static_cast<size_t>(c));
  reduce_channels(rows, c, sum.data(), unused.data(), [&](int64_t r, double* a, double*) {
    const float* row = x + r * c;
    for (int k = 0; k < c; ++k) a[k] += row[k];
  });
  for (int k = 0; k < c; ++k) mean[k] = static_cast<float>(sum[static_cast<size_t>(k)] / static_cast<double>(rows));
  // Second pass about the mean: no catastrophic cancellation.
  std::vector<double> sq(static_cast<size_t>(c));
  reduce_channels(rows, c, sq.data(), unused.data(), [&](int64_t r, double* a, double*) {
    const float* row = x + r * c;
    for (int k = 0; k < c; ++k) {
      const double d = row[k] - mean[k];
      a[k] += d * d;
    }
  });
  for (int k = 0; k < c; ++k) var[k] = static_cast<float>(sq[static_cast<size_t>(k)] / static_cast<double>(rows));
}

void batch_norm_apply(int64_t rows, int c, const float* x, const float* mean, const float* inv_std,
                      const float* gamma, const float* beta, float* y) {
  std::vector<float> scale(static_cast<size_t>(c)), shift(static_cast<size_t>(c));
  for (int k = 0; k < c; ++k) {
    scale[static_cast<size_t>(k)] = gamma[k] * inv_std[k];
    shift[static_cast<size_t>(k)] = beta[k] - mean[k] * scale[static_cast<size_t>(k)];
  }
  const float* s = scale.data();
  const float* t = shift.data();
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* in = x + r * c;
    float* out = y + r * c;
#pragma omp simd
    for (int k = 0; k < c; ++k) out[k] = in[k] * s[k] + t[k];
  }
}

void batch_norm_backward(int64_t rows, int c, const float* x, const float* dy, const float* mean,
                         const float* inv_std, const float* gamma, float* dx, float* dgamma,
                         float* dbeta) {
  // sum_dy = sum dy; sum_dy_xhat = sum dy * xhat, per channel.
  std::vector<double> sum_dy(static_cast<size_t>(c)), sum_dy_xhat(static_cast<size_t>(c));
  reduce_channels(rows, c, sum_dy.data(), sum_dy_xhat.data(), [&](int64_t r, double* a, double* b) {
    const float* in = x + r * c;
    const float* d = dy + r * c;
    for (int k = 0; k < c; ++k) {
      a[k] += d[k];
      b[k] += static_cast<double>(d[k]) * ((in[k] - mean[k]) * inv_std[k]);
    }
  });
  for (int k = 0; k < c; ++k) {
    dbeta[k] += static_cast<float>(sum_dy[static_cast<size_t>(k)]);
    dgamma[k] += static_cast<float>(sum_dy_xhat[static_cast<size_t>(k)]);
  }
  if (!dx) return;
  // dx = gamma*inv_std * (dy - mean(dy) - xhat * mean(dy*xhat))
  std::vector<float> mdy(static_cast<size_t>(c)), mdx(static_cast<size_t>(c)), g(static_cast<size_t>(c));
  for (int k = 0; k < c; ++k) {
    mdy[static_cast<size_t>(k)] = static_cast<float>(sum_dy[static_cast<size_t>(k)] / static_cast<double>(rows));
    mdx[static_cast<size_t>(k)] = static_cast<float>(sum_dy_xhat[static_cast<size_t>(k)] / static_cast<double>(rows));
    g[static_cast<size_t>(k)] = gamma[k] * inv_std[k];
  }
  const float *pm = mdy.data(), *px = mdx.data(), *pg = g.data();
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* in = x + r * c;
    const float* d = dy + r * c;
    float* out = dx + r * c;
#pragma omp simd
    for (int k = 0; k < c; ++k) {
      const float xhat = (in[k] - mean[k]) * inv_std[k];
      out[k] = pg[k] * (d[k] - pm[k] - xhat * px[k]);
    }
  }
}

}  // namespace fermap::kernels
