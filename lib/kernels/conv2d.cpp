// Convolution as register-blocked products read straight from a zero-padded copy of the input
// (no im2col). The N*OH output rows are cut into work items (whole images at a large batch, row
// blocks at a small one) that the threads take dynamically; an item copies the input rows it
// reads into a padded scratch (one pass over the input) and computes kMR consecutive output
// pixels x kNR output channels per micro-tile: the product's K runs over the kernel taps, each
// tap reading the padded rows at its own offset.
//   forward:          large convolutions pack the weights [KH*KW*Cin x Cout] into kNR panels
//                     once per call; small ones (batch 1) read them in place.
//   backward-data:    stride 1 is the forward of dy with the flipped, transposed kernel; other
//                     strides (and Cin < kNR/2) compute patch gradients (dy * W^T) per image
//                     and scatter them.
//   backward-weights: dW[tap,ci][co] += sum over pixels x[pixel+tap][ci] * dy[pixel][co], one
//                     kMR x kNR tile of dW at a time over a few output rows; the pixels are cut
//                     into slices (their number depends on the thread count only), each summed
//                     into its own partial dW, the partials added in slice order.
// Every output element is computed by one thread in a fixed order, so results depend only on
// the thread count. A 1x1 stride-1 unpadded convolution reads the input rows themselves.
#include "kernels/conv2d.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "fermap/error.hpp"
#include "kernels/microkernel.hpp"
#include "kernels/parallel.hpp"
#include "kernels/winograd.hpp"

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

constexpr int kReducePixels = 192;  // pixels one backward-weights tile sums in registers
constexpr double kPackMinFlops = 256e6;  // forward convolutions below this read weights in place
constexpr int64_t kPartialFloats = int64_t{16} << 20;  // bound on backward-weights partial sums
using TapOffsets = std::array<int64_t, kMaxKernelTaps>;

bool is_pointwise(const ConvGeometry& g) {
  return g.kh == 1 && g.kw == 1 && g.stride == 1 && g.pad_top == 0 && g.pad_left == 0 &&
         g.oh == g.h && g.ow == g.w;
}

void check_taps(const ConvGeometry& g) {
  if (g.kh * g.kw > kMaxKernelTaps) throw ShapeError("convolution kernels are limited to 256 taps");
}

// Width of the padded rows: every input column some output pixel reads, from input column -pad_left.
int padded_width(const ConvGeometry& g) { return (g.ow - 1) * g.stride + g.kw; }
// Padded rows read by `rows` consecutive output rows.
int padded_rows(const ConvGeometry& g, int rows) { return (rows - 1) * g.stride + g.kh; }
int64_t padded_floats(const ConvGeometry& g, int rows) {
  return static_cast<int64_t>(padded_rows(g, rows)) * padded_width(g) * g.cin;
}

// Copies the input rows that output rows [oy0, oy1) of image n read into dst ([rows][wp][cin]),
// zeros where they fall outside the image.
void pad_rows(const ConvGeometry& g, const float* x, int n, int oy0, int oy1, float* dst) {
  const int wp = padded_width(g), rows = padded_rows(g, oy1 - oy0);
  const int64_t cin = g.cin, row_floats = wp * cin;
  const int c_begin = std::clamp(g.pad_left, 0, wp), c_end = std::clamp(g.w + g.pad_left, c_begin, wp);
  for (int r = 0; r < rows; ++r) {
    float* out = dst + r * row_floats;
    const int iy = oy0 * g.stride - g.pad_top + r;
    if (iy < 0 || iy >= g.h) {
      std::memset(out, 0, static_cast<size_t>(row_floats) * sizeof(float));
      continue;
    }
    const float* in = x + ((static_cast<int64_t>(n) * g.h + iy) * g.w + (c_begin - g.pad_left)) * cin;
    std::memset(out, 0, static_cast<size_t>(c_begin * cin) * sizeof(float));
    std::memcpy(out + c_begin * cin, in, static_cast<size_t>((c_end - c_begin) * cin) * sizeof(float));
    std::memset(out + c_end * cin, 0, static_cast<size_t>((wp - c_end) * cin) * sizeof(float));
  }
}

// Offset of each tap (ky, kx) in padded rows `wp` wide.
void tap_offsets(const ConvGeometry& g, TapOffsets& off) {
  const int wp = padded_width(g);
  for (int ky = 0; ky < g.kh; ++ky)
    for (int kx = 0; kx < g.kw; ++kx)
      off[static_cast<size_t>(ky * g.kw + kx)] = (static_cast<int64_t>(ky) * wp + kx) * g.cin;
}

// Work items: the N*OH output rows (or the pixels of a 1x1 convolution) cut into near-equal
// parts, whole images when the batch is large. Threads take items dynamically, which keeps both
// cores busy when other processes share them; every output is still computed by one thread in a
// fixed order, so the schedule never changes a result.
int work_items(int64_t units, int64_t images, int threads) {
  const int64_t want = std::max<int64_t>(images, 4 * threads);
  return static_cast<int>(std::max<int64_t>(1, std::min(units, want)));
}

// Calls fn(n, oy0, oy1) for the image segments of part `part` of `parts` of the N*OH output rows.
template <class Fn>
void for_row_segments(const ConvGeometry& g, int part, int parts, Fn&& fn) {
  int64_t r0, r1;
  split_range(static_cast<int64_t>(g.n) * g.oh, parts, part, r0, r1);
  while (r0 < r1) {
    const int n = static_cast<int>(r0 / g.oh), oy0 = static_cast<int>(r0 % g.oh);
    const int oy1 = static_cast<int>(std::min<int64_t>(g.oh, oy0 + (r1 - r0)));
    fn(n, oy0, oy1);
    r0 += oy1 - oy0;
  }
}

// The weights [KH*KW*Cin x Cout] as the micro-kernel reads them: panel p (columns p*kNR...) starts
// at b + p * panel_stride, rows ldb apart.
struct Weights {
  const float* b;
  int64_t ldb, panel_stride;
  bool packed;  // rows hold kNR floats, zero-padded (else partial panels are read with masks)
};

Weights packed_weights(const float* packed, int64_t k) { return {packed, kNR, k * kNR, true}; }
Weights weights_in_place(const float* w, int cout) { return {w, cout, kNR, false}; }

// y = act(conv(x, w) + bias), shared out among the threads of the enclosing parallel region.
void conv_rows(const ConvGeometry& g, const float* x, const Weights& w, const float* bias, bool relu,
               float* y, int threads) {
  const int panels = (g.cout + kNR - 1) / kNR;
  TileArgs t;
  t.ldc = g.cout, t.relu = relu, t.ldb = w.ldb, t.b_packed = w.packed;
  if (is_pointwise(g)) {
    const int64_t tiles = (g.out_pixels() + kMR - 1) / kMR;
    const int items = work_items(tiles, 0, threads);
    t.lda = g.cin, t.runs = 1, t.run_len = g.cin;
#pragma omp for schedule(dynamic, 1) nowait
    for (int item = 0; item < items; ++item) {
      int64_t p0, p1;  // pixel range, cut at multiples of kMR
      split_range(tiles, items, item, p0, p1);
      p0 *= kMR, p1 = std::min(p1 * kMR, g.out_pixels());
      // Pixels outer: a tile's input rows stay in L1 across the panels (the panels stay in L2).
      for (int64_t p = p0; p < p1; p += kMR) {
        t.a = x + p * g.cin, t.m = static_cast<int>(std::min<int64_t>(kMR, p1 - p));
        for (int jp = 0; jp < panels; ++jp) {
          t.b = w.b + jp * w.panel_stride, t.n = std::min(kNR, g.cout - jp * kNR);
          t.bias = bias ? bias + jp * kNR : nullptr;
          t.c = y + p * g.cout + jp * kNR;
          tile_product(t);
        }
      }
    }
    return;
  }
  TapOffsets off;
  tap_offsets(g, off);
  const int64_t row_floats = static_cast<int64_t>(padded_width(g)) * g.cin;
  t.lda = static_cast<int64_t>(g.stride) * g.cin, t.a_off = off.data();
  t.runs = g.kh * g.kw, t.run_len = g.cin;
  const int items = work_items(static_cast<int64_t>(g.n) * g.oh, g.n, threads);
  auto segment = [&](int n, int oy0, int oy1) {
    float* pad = thread_scratch(static_cast<size_t>(padded_floats(g, oy1 - oy0)), kSlotInput);
    pad_rows(g, x, n, oy0, oy1, pad);
    for (int jp = 0; jp < panels; ++jp) {
      t.b = w.b + jp * w.panel_stride, t.n = std::min(kNR, g.cout - jp * kNR);
      t.bias = bias ? bias + jp * kNR : nullptr;
      for (int oy = oy0; oy < oy1; ++oy) {
        const float* arow = pad + (oy - oy0) * g.stride * row_floats;
        float* yrow = y + ((static_cast<int64_t>(n) * g.oh + oy) * g.ow) * g.cout + jp * kNR;
        for (int ox = 0; ox < g.ow; ox += kMR) {
          t.a = arow + static_cast<int64_t>(ox) * t.lda, t.c = yrow + static_cast<int64_t>(ox) * g.cout;
          t.m = std::min(kMR, g.ow - ox);
          tile_product(t);
        }
      }
    }
  };
#pragma omp for schedule(dynamic, 1) nowait
  for (int item = 0; item < items; ++item) for_row_segments(g, item, items, segment);
}

// Strided backward-data, images shared out among the threads of the enclosing region: patch gradients dcol = dy * W^T (packed as
// [Cout x KH*KW*Cin] panels), then added back onto the pixels they came from.
void backward_data_scatter(const ConvGeometry& g, const float* dy, const float* packed_wt, float* dx) {
  const int64_t plane = static_cast<int64_t>(g.oh) * g.ow, patch = g.patch();
  const int64_t in_size = static_cast<int64_t>(g.h) * g.w * g.cin;
  const int panels = static_cast<int>((patch + kNR - 1) / kNR);
  float* col = thread_scratch(static_cast<size_t>(plane * patch), kSlotInput);
  TileArgs t;
  t.lda = g.cout, t.runs = 1, t.run_len = g.cout, t.ldc = patch;
#pragma omp for schedule(dynamic, 1) nowait
  for (int64_t img = 0; img < g.n; ++img) {
    for (int jp = 0; jp < panels; ++jp) {
      t.b = packed_wt + jp * static_cast<int64_t>(g.cout) * kNR;
      t.n = static_cast<int>(std::min<int64_t>(kNR, patch - jp * kNR));
      for (int64_t p = 0; p < plane; p += kMR) {
        t.a = dy + (img * plane + p) * g.cout, t.c = col + p * patch + jp * kNR;
        t.m = static_cast<int>(std::min<int64_t>(kMR, plane - p));
        tile_product(t);
      }
    }
    float* dximg = dx + img * in_size;
    std::fill(dximg, dximg + in_size, 0.0f);
    for (int oy = 0; oy < g.oh; ++oy)
      for (int ox = 0; ox < g.ow; ++ox) {
        const float* src = col + (static_cast<int64_t>(oy) * g.ow + ox) * patch;
        for (int ky = 0; ky < g.kh; ++ky) {
          const int iy = oy * g.stride - g.pad_top + ky;
          for (int kx = 0; kx < g.kw; ++kx, src += g.cin) {
            const int ix = ox * g.stride - g.pad_left + kx;
            if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
            float* dst = dximg + (static_cast<int64_t>(iy) * g.w + ix) * g.cin;
#pragma omp simd
            for (int c = 0; c < g.cin; ++c) dst[c] += src[c];
          }
        }
      }
  }
}

// Row offsets of the kMR rows of dW starting at row k0 (row = tap * cin + ci).
void weight_row_offsets(const ConvGeometry& g, const TapOffsets& taps, int64_t k0, int m, int64_t* off) {
  for (int r = 0; r < m; ++r) {
    const int64_t k = k0 + r;
    off[r] = taps[static_cast<size_t>(k / g.cin)] + k % g.cin;
  }
}

// Slice `part` of `parts` of dW (into acc, [patch x cout] then cout bias sums), the pixels cut
// into `parts` ranges.
void backward_weights_rows(const ConvGeometry& g, const float* x, const float* dy, float* acc, int part,
                           int parts) {
  const int64_t k = g.patch(), wsize = k * g.cout;
  const int panels = (g.cout + kNR - 1) / kNR;
  float* db = acc + wsize;
  ReduceArgs t;
  t.ldc = g.cout;
  int64_t off[kMR];
  t.a_off = off;
  auto bias_sums = [&](const float* d, int64_t pixels) {
    for (int64_t p = 0; p < pixels; ++p)
#pragma omp simd
      for (int c = 0; c < g.cout; ++c) db[c] += d[p * g.cout + c];
  };
  if (is_pointwise(g)) {
    int64_t p0, p1;
    split_range(g.out_pixels(), parts, part, p0, p1);
    if (p1 <= p0) return;
    t.rows = 1, t.a_px = g.cin, t.b_px = g.cout, t.a_off = nullptr;
    // Rows of dW are input channels: a tile's rows are consecutive channels from k0.
    for (int64_t q = p0; q < p1; q += kReducePixels) {
      t.cols = static_cast<int>(std::min<int64_t>(kReducePixels, p1 - q));
      for (int64_t k0 = 0; k0 < k; k0 += kMR) {
        t.m = static_cast<int>(std::min<int64_t>(kMR, k - k0));
        for (int jp = 0; jp < panels; ++jp) {
          t.a = x + q * g.cin + k0, t.b = dy + q * g.cout + jp * kNR;
          t.c = acc + k0 * g.cout + jp * kNR, t.n = std::min(kNR, g.cout - jp * kNR);
          tile_reduce(t);
        }
      }
    }
    bias_sums(dy + p0 * g.cout, p1 - p0);
    return;
  }
  TapOffsets taps;
  tap_offsets(g, taps);
  const int64_t row_floats = static_cast<int64_t>(padded_width(g)) * g.cin;
  t.a_row = g.stride * row_floats, t.a_px = static_cast<int64_t>(g.stride) * g.cin;
  t.b_row = static_cast<int64_t>(g.ow) * g.cout, t.b_px = g.cout, t.cols = g.ow;
  // Rows per tile when they can stay inside one tap (a divisor of Cin), else 0.
  const int run = g.cin % kMR == 0 ? kMR : (kMR >= 8 && g.cin % 8 == 0) ? 8 : (kMR >= 4 && g.cin % 4 == 0) ? 4 : 0;
  for_row_segments(g, part, parts, [&](int n, int oy0, int oy1) {
    float* pad = thread_scratch(static_cast<size_t>(padded_floats(g, oy1 - oy0)), kSlotInput);
    pad_rows(g, x, n, oy0, oy1, pad);
    const float* dseg = dy + (static_cast<int64_t>(n) * g.oh + oy0) * g.ow * g.cout;
    // A few output rows at a time: their inputs stay in cache across all tiles of dW, and the
    // sums run in two levels (registers over a chunk, then dW), which keeps float error low.
    const int chunk = std::max(1, kReducePixels / g.ow);
    for (int c0 = 0; c0 < oy1 - oy0; c0 += chunk) {
      t.rows = std::min(chunk, oy1 - oy0 - c0);
      auto tile = [&](int64_t k0, const float* a) {
        for (int jp = 0; jp < panels; ++jp) {
          t.a = a + c0 * t.a_row, t.b = dseg + c0 * t.b_row + jp * kNR;
          t.c = acc + k0 * g.cout + jp * kNR, t.n = std::min(kNR, g.cout - jp * kNR);
          tile_reduce(t);
        }
      };
      if (run > 0) {
        // Tiles inside one tap: rows are consecutive channels of the padded input.
        t.a_off = nullptr, t.m = run;
        for (int tap = 0; tap < g.kh * g.kw; ++tap)
          for (int ci = 0; ci < g.cin; ci += run)
            tile(static_cast<int64_t>(tap) * g.cin + ci, pad + taps[static_cast<size_t>(tap)] + ci);
      } else {
        // Tiles across taps: each row has its own offset.
        t.a_off = off;
        for (int64_t k0 = 0; k0 < k; k0 += kMR) {
          t.m = static_cast<int>(std::min<int64_t>(kMR, k - k0));
          weight_row_offsets(g, taps, k0, t.m, off);
          tile(k0, pad);
        }
      }
    }
    bias_sums(dseg, static_cast<int64_t>(oy1 - oy0) * g.ow);
  });
}

}  // namespace

void conv2d_forward(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                    bool relu, float* y) {
  if (winograd_suits(g)) return conv2d_forward_winograd(g, x, w, bias, relu, y);
  conv2d_forward_direct(g, x, w, bias, relu, y);
}

void conv2d_forward_direct(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                           bool relu, float* y) {
  check_taps(g);
  const int threads = kernel_threads(g.forward_flops());
  if (g.forward_flops() < kPackMinFlops || threads == 1) {
    // Small (batch-1) convolutions read the weights in place: [KH*KW*Cin][Cout] rows already are
    // what the micro-kernel streams, and without a packing step the region needs no barrier.
#pragma omp parallel num_threads(threads)
    conv_rows(g, x, weights_in_place(w, g.cout), bias, relu, y, threads);
    return;
  }
  // Large ones pack the weights into contiguous panels first (a few percent faster to stream).
  const int64_t k = g.patch();
  float* packed = thread_scratch(static_cast<size_t>(packed_size(k, g.cout)), kSlotShared);
#pragma omp parallel num_threads(threads)
  {
    int64_t k0, k1;
    team_part(k, k0, k1);
    pack_panels(packed, k, g.cout, k0, k1, [&](int64_t r, int c) { return w[r * g.cout + c]; });
#pragma omp barrier
    conv_rows(g, x, packed_weights(packed, k), bias, relu, y, threads);
  }
}

void conv2d_backward_data(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  check_taps(g);
  const int threads = kernel_threads(g.forward_flops());
  const int64_t cin = g.cin, cout = g.cout;
  if (g.stride == 1 && g.cin >= kNR / 2) {
    // dx = conv(dy, w') with w'[ky][kx][co][ci] = w[KH-1-ky][KW-1-kx][ci][co], padded by k-1-pad.
    // (Its output channels are Cin: with fewer than half a panel the scatter form below wins.)
    ConvGeometry t;
    t.n = g.n, t.h = g.oh, t.w = g.ow, t.cin = g.cout;
    t.kh = g.kh, t.kw = g.kw, t.cout = g.cin, t.stride = 1;
    t.pad_top = g.kh - 1 - g.pad_top, t.pad_left = g.kw - 1 - g.pad_left;
    t.oh = g.h, t.ow = g.w;
    if (winograd_suits(t)) {
      // The flipped, transposed kernel as a plain [3][3][Cout][Cin] array for the Winograd forward.
      float* flipped = thread_scratch(static_cast<size_t>(t.patch() * t.cout), kSlotPartial);
      const int64_t taps = g.kh * g.kw;
      for (int64_t tap = 0; tap < taps; ++tap)
        for (int64_t co = 0; co < cout; ++co)
          for (int64_t ci = 0; ci < cin; ++ci)
            flipped[(tap * cout + co) * cin + ci] = w[((taps - 1 - tap) * cin + ci) * cout + co];
      return conv2d_forward_winograd(t, dy, flipped, nullptr, false, dx);
    }
    const int64_t k = t.patch();
    float* packed = thread_scratch(static_cast<size_t>(packed_size(k, t.cout)), kSlotShared);
#pragma omp parallel num_threads(threads)
    {
      int64_t k0, k1;
      team_part(k, k0, k1);
      pack_panels(packed, k, t.cout, k0, k1, [&](int64_t r, int ci) {
        const int64_t tap = r / cout, co = r % cout;
        const int64_t src_tap = static_cast<int64_t>(g.kh * g.kw) - 1 - tap;  // (KH-1-ky, KW-1-kx)
        return w[(src_tap * cin + ci) * cout + co];
      });
#pragma omp barrier
      conv_rows(t, dy, packed_weights(packed, k), nullptr, false, dx, threads);
    }
    return;
  }
  const int64_t patch = g.patch();
  float* packed = thread_scratch(static_cast<size_t>(packed_size(cout, static_cast<int>(patch))), kSlotShared);
#pragma omp parallel num_threads(threads)
  {
    int64_t k0, k1;
    team_part(cout, k0, k1);
    pack_panels(packed, cout, static_cast<int>(patch), k0, k1,
                [&](int64_t co, int r) { return w[r * cout + co]; });
#pragma omp barrier
    backward_data_scatter(g, dy, packed, dx);
  }
}

void conv2d_backward_weights(const ConvGeometry& g, const float* x, const float* dy, float* dw,
                             float* dbias) {
  check_taps(g);
  const int64_t wsize = g.patch() * g.cout, stride = wsize + g.cout;
  const int threads = kernel_threads(g.forward_flops());
  // The pixels are cut into a number of slices that depends on the thread count only (more
  // slices than threads, so that a thread slowed by another process leaves work to its peers);
  // each slice sums into its own partial dW, and the partials are added in slice order.
  const int64_t budget = std::max<int64_t>(threads, kPartialFloats / stride);
  const int slices = static_cast<int>(std::min<int64_t>(4 * threads, budget));
  float* partial = thread_scratch(static_cast<size_t>(slices * stride), kSlotShared);
#pragma omp parallel num_threads(threads)
  {
#pragma omp for schedule(dynamic, 1)
    for (int s = 0; s < slices; ++s) {
      float* acc = partial + s * stride;
      std::fill(acc, acc + stride, 0.0f);
      backward_weights_rows(g, x, dy, acc, s, slices);
    }
    // Each thread adds a range of the weights across all slices, in slice order.
    int64_t e0, e1;
    team_part(stride, e0, e1);
    for (int64_t e = e0; e < e1; ++e) {
      float sum = 0.0f;
      for (int s = 0; s < slices; ++s) sum += partial[s * stride + e];
      if (e < wsize)
        dw[e] += sum;
      else if (dbias)
        dbias[e - wsize] += sum;
    }
  }
}

}  // namespace fermap::kernels
