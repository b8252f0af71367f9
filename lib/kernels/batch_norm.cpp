// Batch-norm kernels: row-partitioned over the threads, per-channel sums in double (float within
// blocks of 16 rows), per-thread partials added in thread order (results depend only on the
// thread count). Statistics take one
// pass (sums about a shift, the first row, so the variance does not cancel catastrophically);
// apply is one pass; backward is two (sums, then dx). No allocation: per-channel temporaries
// live in the calling thread's scratch.
#include "kernels/batch_norm.hpp"

#include <algorithm>

#include <omp.h>

#include "kernels/parallel.hpp"

namespace fermap::kernels {

namespace {

constexpr int kBlockRows = 16;  // rows summed in float before they are added into double

// Sums row_fn(row, a, b) over all rows into two per-channel double accumulators: row_fn adds into
// float sums of a block of kBlockRows rows, which are then added into double (vector-speed inner
// loop, double-precision totals). The partials of the threads are added in thread order.
// `scratch` holds threads * 3 * c doubles.
template <class RowFn>
void reduce_channels(int64_t rows, int c, double* scratch, double* out_a, double* out_b, RowFn&& row_fn) {
  int team = 1;  // the threads the region really got (at most those asked for)
#pragma omp parallel num_threads(element_threads(rows * c))
  {
    const int tid = omp_get_thread_num();
    if (tid == 0) team = omp_get_num_threads();
    double* a = scratch + static_cast<int64_t>(tid) * 3 * c;
    double* b = a + c;
    float* fa = reinterpret_cast<float*>(b + c);
    float* fb = fa + c;
    std::fill(a, a + 2 * c, 0.0);
    int64_t r0, r1;
    team_part(rows, r0, r1);
    for (int64_t r = r0; r < r1; r += kBlockRows) {
      std::fill(fa, fa + 2 * c, 0.0f);
      const int64_t end = std::min(r1, r + kBlockRows);
      for (int64_t q = r; q < end; ++q) row_fn(q, fa, fb);
#pragma omp simd
      for (int k = 0; k < c; ++k) a[k] += fa[k], b[k] += fb[k];
    }
  }
  std::fill(out_a, out_a + c, 0.0);
  std::fill(out_b, out_b + c, 0.0);
  for (int t = 0; t < team; ++t) {
    const double* a = scratch + static_cast<int64_t>(t) * 3 * c;
    for (int k = 0; k < c; ++k) out_a[k] += a[k], out_b[k] += a[c + k];
  }
}

// The calling thread's scratch: room for the thread partials, then `extra` doubles.
double* scratch_for(int c, int extra) {
  const size_t partials = static_cast<size_t>(kernel_threads()) * 3 * static_cast<size_t>(c);
  return thread_scratch_doubles(partials + static_cast<size_t>(extra), kSlotShared);
}

}  // namespace

void batch_norm_statistics(int64_t rows, int c, const float* x, float* mean, float* var) {
  double* scratch = scratch_for(c, 2 * c);
  double* sum = scratch + static_cast<int64_t>(kernel_threads()) * 3 * c;
  double* sq = sum + c;
  const float* shift = x;  // the first row: close to the mean, so the squares do not cancel
  reduce_channels(rows, c, scratch, sum, sq, [&](int64_t r, float* a, float* b) {
    const float* row = x + r * c;
#pragma omp simd
    for (int k = 0; k < c; ++k) {
      const float d = row[k] - shift[k];
      a[k] += d;
      b[k] += d * d;
    }
  });
  const double n = static_cast<double>(rows);
  for (int k = 0; k < c; ++k) {
    const double m = sum[k] / n;
    mean[k] = static_cast<float>(shift[k] + m);
    var[k] = static_cast<float>(std::max(sq[k] / n - m * m, 0.0));
  }
}

void batch_norm_apply(int64_t rows, int c, const float* x, const float* mean, const float* inv_std,
                      const float* gamma, const float* beta, float* y) {
  float* scale = thread_scratch(2 * static_cast<size_t>(c), kSlotShared);
  float* shift = scale + c;
  for (int k = 0; k < c; ++k) {
    scale[k] = gamma[k] * inv_std[k];
    shift[k] = beta[k] - mean[k] * scale[k];
  }
#pragma omp parallel for schedule(static) num_threads(element_threads(rows * c))
  for (int64_t r = 0; r < rows; ++r) {
    const float* in = x + r * c;
    float* out = y + r * c;
#pragma omp simd
    for (int k = 0; k < c; ++k) out[k] = in[k] * scale[k] + shift[k];
  }
}

void batch_norm_backward(int64_t rows, int c, const float* x, const float* dy, const float* mean,
                         const float* inv_std, const float* gamma, float* dx, float* dgamma,
                         float* dbeta) {
  // sum_dy = sum dy; sum_dy_xhat = sum dy * xhat, per channel.
  double* scratch = scratch_for(c, 2 * c + 2 * c);  // sums, then three float arrays (as doubles)
  double* sum_dy = scratch + static_cast<int64_t>(kernel_threads()) * 3 * c;
  double* sum_dy_xhat = sum_dy + c;
  reduce_channels(rows, c, scratch, sum_dy, sum_dy_xhat, [&](int64_t r, float* a, float* b) {
    const float* in = x + r * c;
    const float* d = dy + r * c;
#pragma omp simd
    for (int k = 0; k < c; ++k) {
      a[k] += d[k];
      b[k] += d[k] * ((in[k] - mean[k]) * inv_std[k]);
    }
  });
  for (int k = 0; k < c; ++k) {
    dbeta[k] += static_cast<float>(sum_dy[k]);
    dgamma[k] += static_cast<float>(sum_dy_xhat[k]);
  }
  if (!dx) return;
  // dx = gamma*inv_std * (dy - mean(dy) - xhat * mean(dy*xhat))
  float* mdy = reinterpret_cast<float*>(sum_dy_xhat + c);
  float* mdx = mdy + c;
  float* g = mdx + c;
  const double n = static_cast<double>(rows);
  for (int k = 0; k < c; ++k) {
    mdy[k] = static_cast<float>(sum_dy[k] / n);
    mdx[k] = static_cast<float>(sum_dy_xhat[k] / n);
    g[k] = gamma[k] * inv_std[k];
  }
#pragma omp parallel for schedule(static) num_threads(element_threads(rows * c))
  for (int64_t r = 0; r < rows; ++r) {
    const float* in = x + r * c;
    const float* d = dy + r * c;
    float* out = dx + r * c;
#pragma omp simd
    for (int k = 0; k < c; ++k) {
      const float xhat = (in[k] - mean[k]) * inv_std[k];
      out[k] = g[k] * (d[k] - mdy[k] - xhat * mdx[k]);
    }
  }
}

void batch_norm_statistics_reference(int64_t rows, int c, const float* x, float* mean, float* var) {
  for (int k = 0; k < c; ++k) {
    double s = 0, q = 0;
    for (int64_t r = 0; r < rows; ++r) s += x[r * c + k];
    const double m = s / static_cast<double>(rows);
    for (int64_t r = 0; r < rows; ++r) q += (x[r * c + k] - m) * (x[r * c + k] - m);
    mean[k] = static_cast<float>(m);
    var[k] = static_cast<float>(q / static_cast<double>(rows));
  }
}

void batch_norm_backward_reference(int64_t rows, int c, const float* x, const float* dy, const float* mean,
                                   const float* inv_std, const float* gamma, float* dx, float* dgamma,
                                   float* dbeta) {
  for (int k = 0; k < c; ++k) {
    double sd = 0, sdx = 0;
    for (int64_t r = 0; r < rows; ++r) {
      const double xhat = (x[r * c + k] - mean[k]) * static_cast<double>(inv_std[k]);
      sd += dy[r * c + k];
      sdx += dy[r * c + k] * xhat;
    }
    dbeta[k] += static_cast<float>(sd);
    dgamma[k] += static_cast<float>(sdx);
    if (!dx) continue;
    const double n = static_cast<double>(rows);
    for (int64_t r = 0; r < rows; ++r) {
      const double xhat = (x[r * c + k] - mean[k]) * static_cast<double>(inv_std[k]);
      dx[r * c + k] = static_cast<float>(gamma[k] * static_cast<double>(inv_std[k]) *
                                         (dy[r * c + k] - sd / n - xhat * sdx / n));
    }
  }
}

}  // namespace fermap::kernels
