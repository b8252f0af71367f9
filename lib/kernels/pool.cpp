#include "kernels/pool.hpp"

#include <algorithm>
#include <limits>

#include "kernels/parallel.hpp"

namespace fermap::kernels {

namespace {
// The max of one output pixel's window, channels in the inner loop (vectorised with masks: the
// first strictly greater value wins, as in the reference).
inline void pool_pixel(const ConvGeometry& g, const float* x, int n, int oy, int ox, float* out, int32_t* arg) {
  const int C = g.cin;
  const int iy = oy * g.stride - g.pad_top, ix = ox * g.stride - g.pad_left;
  const float* image = x + static_cast<int64_t>(n) * g.h * g.w * C;
  if (g.kh == 2 && g.kw == 2 && iy >= 0 && ix >= 0 && iy + 1 < g.h && ix + 1 < g.w) {
    // The common 2x2 window, all inside: four loads and three compares per channel.
    // Indices within the image (argmax is per image, so it fits 32 bits whatever the batch).
    const int64_t i0 = (static_cast<int64_t>(iy) * g.w + ix) * C, i1 = i0 + C;
    const int64_t i2 = i0 + static_cast<int64_t>(g.w) * C, i3 = i2 + C;
#pragma omp simd
    for (int c = 0; c < C; ++c) {
      float best = -std::numeric_limits<float>::infinity();
      int64_t where = -1;
      if (image[i0 + c] > best) best = image[i0 + c], where = i0 + c;
      if (image[i1 + c] > best) best = image[i1 + c], where = i1 + c;
      if (image[i2 + c] > best) best = image[i2 + c], where = i2 + c;
      if (image[i3 + c] > best) best = image[i3 + c], where = i3 + c;
      out[c] = best;
      if (arg) arg[c] = static_cast<int32_t>(where);
    }
    return;
  }
  for (int c = 0; c < C; ++c) out[c] = -std::numeric_limits<float>::infinity();
  if (arg)
    for (int c = 0; c < C; ++c) arg[c] = -1;
  for (int ky = 0; ky < g.kh; ++ky) {
    const int iy = oy * g.stride - g.pad_top + ky;
    if (iy < 0 || iy >= g.h) continue;
    for (int kx = 0; kx < g.kw; ++kx) {
      const int ix = ox * g.stride - g.pad_left + kx;
      if (ix < 0 || ix >= g.w) continue;
      const int64_t i = (static_cast<int64_t>(iy) * g.w + ix) * C;
      const float* in = image + i;
      if (arg) {
#pragma omp simd
        for (int c = 0; c < C; ++c) {
          const bool more = in[c] > out[c];
          out[c] = more ? in[c] : out[c];
          arg[c] = more ? static_cast<int32_t>(i + c) : arg[c];
        }
      } else {
#pragma omp simd
        for (int c = 0; c < C; ++c) out[c] = in[c] > out[c] ? in[c] : out[c];
      }
    }
  }
}
}  // namespace

void maxpool2d_forward(const ConvGeometry& g, const float* x, float* y, int32_t* argmax) {
  const int C = g.cin;
#pragma omp parallel for collapse(2) schedule(static) if (g.out_pixels() * C >= kParallelMinElements)
  for (int n = 0; n < g.n; ++n)
    for (int oy = 0; oy < g.oh; ++oy)
      for (int ox = 0; ox < g.ow; ++ox) {
        const int64_t o = ((static_cast<int64_t>(n) * g.oh + oy) * g.ow + ox) * C;
        pool_pixel(g, x, n, oy, ox, y + o, argmax ? argmax + o : nullptr);
      }
}

void maxpool2d_backward(const ConvGeometry& g, const float* dy, const int32_t* argmax, float* dx) {
  const int64_t in_image = static_cast<int64_t>(g.h) * g.w * g.cin;
  const int64_t out_image = static_cast<int64_t>(g.oh) * g.ow * g.cin;
  // Windows may overlap (3x3 stride 2) but never cross images: one image per iteration is safe.
#pragma omp parallel for schedule(static) if (g.n * in_image >= kParallelMinElements)
  for (int n = 0; n < g.n; ++n) {
    std::fill(dx + n * in_image, dx + (n + 1) * in_image, 0.0f);
    float* image = dx + n * in_image;
    for (int64_t o = n * out_image; o < (n + 1) * out_image; ++o)
      if (argmax[o] >= 0) image[argmax[o]] += dy[o];
  }
}

void global_avg_pool_forward(int n, int pixels, int c, const float* x, float* y) {
  const float inv = 1.0f / static_cast<float>(pixels);
#pragma omp parallel for schedule(static) if (static_cast<int64_t>(n) * pixels * c >= kParallelMinElements)
  for (int i = 0; i < n; ++i) {
    float* out = y + static_cast<int64_t>(i) * c;
    std::fill(out, out + c, 0.0f);
    for (int p = 0; p < pixels; ++p) {
      const float* in = x + (static_cast<int64_t>(i) * pixels + p) * c;
      for (int k = 0; k < c; ++k) out[k] += in[k];
    }
    for (int k = 0; k < c; ++k) out[k] *= inv;
  }
}

void global_avg_pool_backward(int n, int pixels, int c, const float* dy, float* dx) {
  const float inv = 1.0f / static_cast<float>(pixels);
#pragma omp parallel for schedule(static) if (static_cast<int64_t>(n) * pixels * c >= kParallelMinElements)
  for (int i = 0; i < n; ++i)
    for (int p = 0; p < pixels; ++p) {
      float* out = dx + (static_cast<int64_t>(i) * pixels + p) * c;
      const float* d = dy + static_cast<int64_t>(i) * c;
      for (int k = 0; k < c; ++k) out[k] = d[k] * inv;
    }
}

void maxpool2d_forward_reference(const ConvGeometry& g, const float* x, float* y, int32_t* argmax) {
  for (int n = 0; n < g.n; ++n)
    for (int oy = 0; oy < g.oh; ++oy)
      for (int ox = 0; ox < g.ow; ++ox)
        for (int c = 0; c < g.cin; ++c) {
          float best = -std::numeric_limits<float>::infinity();
          int32_t where = -1;
          for (int ky = 0; ky < g.kh; ++ky)
            for (int kx = 0; kx < g.kw; ++kx) {
              const int iy = oy * g.stride - g.pad_top + ky, ix = ox * g.stride - g.pad_left + kx;
              if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
              const int64_t i = (static_cast<int64_t>(iy) * g.w + ix) * g.cin + c;  // within image n
              const float v = x[static_cast<int64_t>(n) * g.h * g.w * g.cin + i];
              if (v > best) best = v, where = static_cast<int32_t>(i);
            }
          const int64_t o = ((static_cast<int64_t>(n) * g.oh + oy) * g.ow + ox) * g.cin + c;
          y[o] = best;
          if (argmax) argmax[o] = where;
        }
}

void maxpool2d_backward_reference(const ConvGeometry& g, const float* dy, const int32_t* argmax, float* dx) {
  const int64_t in_image = static_cast<int64_t>(g.h) * g.w * g.cin, out_image = static_cast<int64_t>(g.oh) * g.ow * g.cin;
  std::fill(dx, dx + g.n * in_image, 0.0f);
  for (int64_t o = 0; o < g.n * out_image; ++o)
    if (argmax[o] >= 0) dx[o / out_image * in_image + argmax[o]] += dy[o];
}

}  // namespace fermap::kernels
