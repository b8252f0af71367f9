// Depthwise kernels: channels in vectors, each output's sum kept in a register across the taps
// (the gather form for backward-data, so no two threads write one element); backward-weights
// adds every pixel's products into a per-thread partial dW (L1-resident), and the partials are
// added in thread order.
#include "kernels/depthwise.hpp"

#include <algorithm>

#include <omp.h>

#include "fermap/error.hpp"
#include "kernels/parallel.hpp"
#include "kernels/simd.hpp"

namespace fermap::kernels {

namespace {

using simd::kLanes;
using simd::V;

inline int64_t at(const ConvGeometry& g, int n, int y, int x) {
  return ((static_cast<int64_t>(n) * g.h + y) * g.w + x) * g.cin;
}
inline int64_t out_at(const ConvGeometry& g, int n, int y, int x) {
  return ((static_cast<int64_t>(n) * g.oh + y) * g.ow + x) * g.cin;
}
// Threads for one depthwise pass (2 flops per tap and channel of each output pixel).
int dw_threads(const ConvGeometry& g) {
  return kernel_threads(2.0 * static_cast<double>(g.out_pixels()) * g.kh * g.kw * g.cin);
}
void check_taps(const ConvGeometry& g) {
  if (g.kh * g.kw > kMaxKernelTaps) throw ShapeError("depthwise kernels are limited to 256 taps");
}

// out[c] = sum over t < taps of src[t][c] * wt[t][c]: one vector of channels at a time, its sum
// kept in a register across the taps.
void sum_taps(int c_total, int taps, const float* const* src, const float* const* wt, float* out) {
  int c = 0;
  for (; c + kLanes <= c_total; c += kLanes) {
    V acc = simd::zero();
    for (int t = 0; t < taps; ++t) acc = simd::fma(simd::load(src[t] + c), simd::load(wt[t] + c), acc);
    simd::store(out + c, acc);
  }
  if (c < c_total) {
    const int rest = c_total - c;
    V acc = simd::zero();
    for (int t = 0; t < taps; ++t)
      acc = simd::fma(simd::load_partial(src[t] + c, rest), simd::load_partial(wt[t] + c, rest), acc);
    simd::store_partial(out + c, acc, rest);
  }
}

}  // namespace

void depthwise_forward(const ConvGeometry& g, const float* x, const float* w, float* y) {
  check_taps(g);
#pragma omp parallel for collapse(2) schedule(static) num_threads(dw_threads(g))
  for (int n = 0; n < g.n; ++n)
    for (int oy = 0; oy < g.oh; ++oy)
      for (int ox = 0; ox < g.ow; ++ox) {
        const float* src[kMaxKernelTaps];
        const float* wt[kMaxKernelTaps];
        int taps = 0;
        for (int ky = 0; ky < g.kh; ++ky) {
          const int iy = oy * g.stride - g.pad_top + ky;
          if (iy < 0 || iy >= g.h) continue;
          for (int kx = 0; kx < g.kw; ++kx) {
            const int ix = ox * g.stride - g.pad_left + kx;
            if (ix < 0 || ix >= g.w) continue;
            src[taps] = x + at(g, n, iy, ix);
            wt[taps++] = w + (static_cast<int64_t>(ky) * g.kw + kx) * g.cin;
          }
        }
        sum_taps(g.cin, taps, src, wt, y + out_at(g, n, oy, ox));
      }
}

void depthwise_backward_data(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  check_taps(g);
  // Gather form: each input pixel sums the output pixels that read it, so threads never collide.
#pragma omp parallel for collapse(2) schedule(static) num_threads(dw_threads(g))
  for (int n = 0; n < g.n; ++n)
    for (int iy = 0; iy < g.h; ++iy)
      for (int ix = 0; ix < g.w; ++ix) {
        const float* src[kMaxKernelTaps];
        const float* wt[kMaxKernelTaps];
        int taps = 0;
        for (int ky = 0; ky < g.kh; ++ky) {
          const int ty = iy + g.pad_top - ky;
          if (ty < 0 || ty % g.stride) continue;
          const int oy = ty / g.stride;
          if (oy >= g.oh) continue;
          for (int kx = 0; kx < g.kw; ++kx) {
            const int tx = ix + g.pad_left - kx;
            if (tx < 0 || tx % g.stride) continue;
            const int ox = tx / g.stride;
            if (ox >= g.ow) continue;
            src[taps] = dy + out_at(g, n, oy, ox);
            wt[taps++] = w + (static_cast<int64_t>(ky) * g.kw + kx) * g.cin;
          }
        }
        sum_taps(g.cin, taps, src, wt, dx + at(g, n, iy, ix));
      }
}

void depthwise_backward_weights(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  const int C = g.cin;
  const int64_t wsize = static_cast<int64_t>(g.kh) * g.kw * C;
  float* partial[kMaxThreads];  // dw_threads() is at most kMaxThreads, the team at most that
#pragma omp parallel num_threads(dw_threads(g))
  {
    const int tid = omp_get_thread_num(), team = omp_get_num_threads();
    float* acc = thread_scratch(static_cast<size_t>(wsize), kSlotPartial);
    partial[tid] = acc;
    int64_t r0, r1;
    team_part(static_cast<int64_t>(g.n) * g.oh, r0, r1);
    std::fill(acc, acc + wsize, 0.0f);
    for (int64_t r = r0; r < r1; ++r) {
      const int n = static_cast<int>(r / g.oh), oy = static_cast<int>(r % g.oh);
      for (int ox = 0; ox < g.ow; ++ox) {
        const float* d = dy + out_at(g, n, oy, ox);
        for (int ky = 0; ky < g.kh; ++ky) {
          const int iy = oy * g.stride - g.pad_top + ky;
          if (iy < 0 || iy >= g.h) continue;
          for (int kx = 0; kx < g.kw; ++kx) {
            const int ix = ox * g.stride - g.pad_left + kx;
            if (ix < 0 || ix >= g.w) continue;
            const float* in = x + at(g, n, iy, ix);
            float* a = acc + (static_cast<int64_t>(ky) * g.kw + kx) * C;
#pragma omp simd
            for (int c = 0; c < C; ++c) a[c] += d[c] * in[c];
          }
        }
      }
    }
#pragma omp barrier
    int64_t e0, e1;
    team_part(wsize, e0, e1);
    for (int64_t e = e0; e < e1; ++e) {
      float s = 0.0f;
      for (int p = 0; p < team; ++p) s += partial[p][e];
      dw[e] += s;
    }
  }
}

// One visit per (output pixel, tap, channel); the three directions share it.
namespace {
template <class Fn>
void for_each_tap(const ConvGeometry& g, Fn&& fn) {
  for (int n = 0; n < g.n; ++n)
    for (int oy = 0; oy < g.oh; ++oy)
      for (int ox = 0; ox < g.ow; ++ox)
        for (int ky = 0; ky < g.kh; ++ky)
          for (int kx = 0; kx < g.kw; ++kx) {
            const int iy = oy * g.stride - g.pad_top + ky, ix = ox * g.stride - g.pad_left + kx;
            if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
            for (int c = 0; c < g.cin; ++c)
              fn(out_at(g, n, oy, ox) + c, at(g, n, iy, ix) + c, (static_cast<int64_t>(ky) * g.kw + kx) * g.cin + c);
          }
}
}  // namespace

void depthwise_forward_reference(const ConvGeometry& g, const float* x, const float* w, float* y) {
  std::fill(y, y + g.out_pixels() * g.cin, 0.0f);
  for_each_tap(g, [&](int64_t o, int64_t i, int64_t k) { y[o] += x[i] * w[k]; });
}

void depthwise_backward_data_reference(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  std::fill(dx, dx + static_cast<int64_t>(g.n) * g.h * g.w * g.cin, 0.0f);
  for_each_tap(g, [&](int64_t o, int64_t i, int64_t k) { dx[i] += dy[o] * w[k]; });
}

void depthwise_backward_weights_reference(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  for_each_tap(g, [&](int64_t o, int64_t i, int64_t k) { dw[k] += dy[o] * x[i]; });
}

}  // namespace fermap::kernels
