// Convolution as GEMM. The output pixels (N*OH*OW rows) are cut into tiles; each thread gathers its
// tile's input patches (im2col, [tile x KH*KW*Cin]) into its own scratch and multiplies by the
// weights ([KH*KW*Cin x Cout]). Tiling over pixels rather than images keeps batch 1 parallel too.
// A 1x1 stride-1 convolution needs no gather: the input rows already are the patches.
// Stride-1 backward-data is itself a convolution of dy with the flipped, transposed kernel.
#include "kernels/conv2d.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include <omp.h>

#include "kernels/gemm.hpp"
#include "kernels/parallel.hpp"

namespace fermap::kernels {

ConvPlan plan_conv_dim(int in, int kernel, int stride, bool same) {
  ConvPlan p;
  if (same) {
    p.out = (in + stride - 1) / stride;
    const int total_pad = std::max((p.out - 1) * stride + kernel - in, 0);
    p.pad_before = total_pad / 2;
  } else {
    p.out = in >= kernel ? (in - kernel) / stride + 1 : 0;
  }
  return p;
}

namespace {

constexpr int64_t kTileBytes = 256 * 1024;  // one patch tile stays in L2

bool is_pointwise(const ConvGeometry& g) {
  return g.kh == 1 && g.kw == 1 && g.stride == 1 && g.pad_top == 0 && g.pad_left == 0 &&
         g.oh == g.h && g.ow == g.w;
}

int64_t tile_rows(const ConvGeometry& g) {
  const int64_t rows = kTileBytes / (g.patch() * static_cast<int64_t>(sizeof(float)));
  return std::clamp<int64_t>(rows, 16, 512);
}

// Gathers the patches of output pixels [row0, row0+rows) into col ([rows x patch]).
void im2col_rows(const ConvGeometry& g, const float* x, int64_t row0, int64_t rows, float* col) {
  const int64_t plane = static_cast<int64_t>(g.oh) * g.ow;
  const size_t cbytes = static_cast<size_t>(g.cin) * sizeof(float);
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t p = row0 + r;
    const int64_t img = p / plane;
    const int oy = static_cast<int>((p % plane) / g.ow), ox = static_cast<int>(p % g.ow);
    const float* ximg = x + img * g.h * g.w * g.cin;
    float* dst = col + r * g.patch();
    for (int ky = 0; ky < g.kh; ++ky) {
      const int iy = oy * g.stride - g.pad_top + ky;
      for (int kx = 0; kx < g.kw; ++kx, dst += g.cin) {
        const int ix = ox * g.stride - g.pad_left + kx;
        if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w)
          std::memset(dst, 0, cbytes);
        else
          std::memcpy(dst, ximg + (static_cast<int64_t>(iy) * g.w + ix) * g.cin, cbytes);
      }
    }
  }
}

// Scatters patch gradients of one image back onto its input gradient (adds).
void col2im_image(const ConvGeometry& g, const float* col, float* dximg) {
  for (int oy = 0; oy < g.oh; ++oy)
    for (int ox = 0; ox < g.ow; ++ox) {
      const float* src = col + (static_cast<int64_t>(oy) * g.ow + ox) * g.patch();
      for (int ky = 0; ky < g.kh; ++ky) {
        const int iy = oy * g.stride - g.pad_top + ky;
        for (int kx = 0; kx < g.kw; ++kx, src += g.cin) {
          const int ix = ox * g.stride - g.pad_left + kx;
          if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
          float* dst = dximg + (static_cast<int64_t>(iy) * g.w + ix) * g.cin;
          for (int c = 0; c < g.cin; ++c) dst[c] += src[c];
        }
      }
    }
}

void bias_relu_rows(float* y, int64_t rows, int cout, const float* bias, bool relu) {
  for (int64_t r = 0; r < rows; ++r) {
    float* row = y + r * cout;
    if (bias)
      for (int c = 0; c < cout; ++c) row[c] += bias[c];
    if (relu)
      for (int c = 0; c < cout; ++c) row[c] = std::max(row[c], 0.0f);
  }
}

}  // namespace

void conv2d_forward(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                    bool relu, float* y) {
  const int64_t total = g.out_pixels(), tile = tile_rows(g);
  const int64_t tiles = (total + tile - 1) / tile;
  const bool pointwise = is_pointwise(g);
#pragma omp parallel for schedule(static)
  for (int64_t t = 0; t < tiles; ++t) {
    const int64_t row0 = t * tile, rows = std::min(tile, total - row0);
    const float* a = x + row0 * g.cin;
    if (!pointwise) {
      float* col = thread_scratch(static_cast<size_t>(rows * g.patch()), 0);
      im2col_rows(g, x, row0, rows, col);
      a = col;
    }
    GemmArgs m;
    m.m = static_cast<int>(rows), m.n = g.cout, m.k = static_cast<int>(g.patch());
    m.a = a, m.lda = m.k, m.b = w, m.ldb = g.cout, m.c = y + row0 * g.cout, m.ldc = g.cout;
    gemm(m);
    bias_relu_rows(m.c, rows, g.cout, bias, relu);
  }
}

void conv2d_backward_data(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  if (g.stride == 1) {
    // dx = conv(dy, w') with w'[ky][kx][co][ci] = w[KH-1-ky][KW-1-kx][ci][co].
    const int64_t wsize = g.patch() * g.cout;
    std::vector<float> flipped(static_cast<size_t>(wsize));
    for (int ky = 0; ky < g.kh; ++ky)
      for (int kx = 0; kx < g.kw; ++kx)
        for (int ci = 0; ci < g.cin; ++ci)
          for (int co = 0; co < g.cout; ++co)
            flipped[static_cast<size_t>(((static_cast<int64_t>(ky) * g.kw + kx) * g.cout + co) * g.cin + ci)] =
                w[((static_cast<int64_t>(g.kh - 1 - ky) * g.kw + (g.kw - 1 - kx)) * g.cin + ci) * g.cout + co];
    ConvGeometry t;
    t.n = g.n, t.h = g.oh, t.w = g.ow, t.cin = g.cout;
    t.kh = g.kh, t.kw = g.kw, t.cout = g.cin, t.stride = 1;
    t.pad_top = g.kh - 1 - g.pad_top, t.pad_left = g.kw - 1 - g.pad_left;
    t.oh = g.h, t.ow = g.w;
    conv2d_forward(t, dy, flipped.data(), nullptr, false, dx);
    return;
  }
  // Strided: per image, patch gradients = dy * w^T, then scattered back.
  const int64_t plane = static_cast<int64_t>(g.oh) * g.ow;
  const int64_t in_size = static_cast<int64_t>(g.h) * g.w * g.cin;
#pragma omp parallel for schedule(static)
  for (int img = 0; img < g.n; ++img) {
    float* col = thread_scratch(static_cast<size_t>(plane * g.patch()), 0);
    GemmArgs m;
    m.trans_b = true;
    m.m = static_cast<int>(plane), m.n = static_cast<int>(g.patch()), m.k = g.cout;
    m.a = dy + img * plane * g.cout, m.lda = g.cout, m.b = w, m.ldb = g.cout;
    m.c = col, m.ldc = m.n;
    gemm(m);
    float* dximg = dx + img * in_size;
    std::fill(dximg, dximg + in_size, 0.0f);
    col2im_image(g, col, dximg);
  }
}

void conv2d_backward_weights(const ConvGeometry& g, const float* x, const float* dy, float* dw,
                             float* dbias) {
  const int64_t total = g.out_pixels(), tile = tile_rows(g);
  const int64_t tiles = (total + tile - 1) / tile;
  const int64_t wsize = g.patch() * g.cout;
  const bool pointwise = is_pointwise(g);
  const int threads = max_threads();
  // Each thread sums its tiles into a private copy; copies are added in thread order, so the
  // result depends on the thread count only.
  std::vector<float*> partial(static_cast<size_t>(threads), nullptr);
#pragma omp parallel num_threads(threads)
  {
    const int tid = omp_get_thread_num();
    float* acc = thread_scratch(static_cast<size_t>(wsize + g.cout), 1);
    std::fill(acc, acc + wsize + g.cout, 0.0f);
    partial[static_cast<size_t>(tid)] = acc;
    int64_t t0, t1;
    split_range(tiles, threads, tid, t0, t1);
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t row0 = t * tile, rows = std::min(tile, total - row0);
      const float* a = x + row0 * g.cin;
      if (!pointwise) {
        float* col = thread_scratch(static_cast<size_t>(rows * g.patch()), 0);
        im2col_rows(g, x, row0, rows, col);
        a = col;
      }
      const float* dyt = dy + row0 * g.cout;
      GemmArgs m;
      m.trans_a = true;
      m.m = static_cast<int>(g.patch()), m.n = g.cout, m.k = static_cast<int>(rows);
      m.a = a, m.lda = static_cast<int>(g.patch()), m.b = dyt, m.ldb = g.cout;
      m.beta = 1.0f, m.c = acc, m.ldc = g.cout;
      gemm(m);
      float* db = acc + wsize;
      for (int64_t r = 0; r < rows; ++r)
        for (int c = 0; c < g.cout; ++c) db[c] += dyt[r * g.cout + c];
    }
#pragma omp barrier
    // Reduce: each thread adds a slice of the weights across all partial copies.
    int64_t e0, e1;
    split_range(wsize + g.cout, threads, tid, e0, e1);
    for (int64_t e = e0; e < e1; ++e) {
      float s = 0.0f;
      for (int p = 0; p < threads; ++p) s += partial[static_cast<size_t>(p)][e];
      if (e < wsize)
        dw[e] += s;
      else if (dbias)
        dbias[e - wsize] += s;
    }
  }
}

void conv2d_forward_reference(const ConvGeometry& g, const float* x, const float* w,
                              const float* bias, bool relu, float* y) {
  for (int n = 0; n < g.n; ++n)
    for (int oy = 0; oy < g.oh; ++oy)
      for (int ox = 0; ox < g.ow; ++ox)
        for (int co = 0; co < g.cout; ++co) {
          double s = bias ? bias[co] : 0.0;
          for (int ky = 0; ky < g.kh; ++ky)
            for (int kx = 0; kx < g.kw; ++kx) {
              const int iy = oy * g.stride - g.pad_top + ky, ix = ox * g.stride - g.pad_left + kx;
              if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
              for (int ci = 0; ci < g.cin; ++ci)
                s += static_cast<double>(x[((static_cast<int64_t>(n) * g.h + iy) * g.w + ix) * g.cin + ci]) *
                     w[((static_cast<int64_t>(ky) * g.kw + kx) * g.cin + ci) * g.cout + co];
            }
          float v = static_cast<float>(s);
          if (relu) v = std::max(v, 0.0f);
          y[((static_cast<int64_t>(n) * g.oh + oy) * g.ow + ox) * g.cout + co] = v;
        }
}

void conv2d_backward_data_reference(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  std::fill(dx, dx + static_cast<int64_t>(g.n) * g.h * g.w * g.cin, 0.0f);
  for (int n = 0; n < g.n; ++n)
    for (int oy = 0; oy < g.oh; ++oy)
      for (int ox = 0; ox < g.ow; ++ox)
        for (int co = 0; co < g.cout; ++co) {
          const float d = dy[((static_cast<int64_t>(n) * g.oh + oy) * g.ow + ox) * g.cout + co];
          for (int ky = 0; ky < g.kh; ++ky)
            for (int kx = 0; kx < g.kw; ++kx) {
              const int iy = oy * g.stride - g.pad_top + ky, ix = ox * g.stride - g.pad_left + kx;
              if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
              for (int ci = 0; ci < g.cin; ++ci)
                dx[((static_cast<int64_t>(n) * g.h + iy) * g.w + ix) * g.cin + ci] +=
                    d * w[((static_cast<int64_t>(ky) * g.kw + kx) * g.cin + ci) * g.cout + co];
            }
        }
}

void conv2d_backward_weights_reference(const ConvGeometry& g, const float* x, const float* dy,
                                       float* dw, float* dbias) {
  for (int n = 0; n < g.n; ++n)
    for (int oy = 0; oy < g.oh; ++oy)
      for (int ox = 0; ox < g.ow; ++ox)
        for (int co = 0; co < g.cout; ++co) {
          const float d = dy[((static_cast<int64_t>(n) * g.oh + oy) * g.ow + ox) * g.cout + co];
          if (dbias) dbias[co] += d;
          for (int ky = 0; ky < g.kh; ++ky)
            for (int kx = 0; kx < g.kw; ++kx) {
              const int iy = oy * g.stride - g.pad_top + ky, ix = ox * g.stride - g.pad_left + kx;
              if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
              for (int ci = 0; ci < g.cin; ++ci)
                dw[((static_cast<int64_t>(ky) * g.kw + kx) * g.cin + ci) * g.cout + co] +=
                    d * x[((static_cast<int64_t>(n) * g.h + iy) * g.w + ix) * g.cin + ci];
            }
        }
}

}  // namespace fermap::kernels
