// Winograd F(2x2, 3x3): the output's 2x2 tiles are cut into blocks of up to kBlock tiles that
// the threads take dynamically. For a block, a thread
//   1. transforms the input: V[e][tile][ci] = (B^T d B)[e] for the 16 positions e of each
//      tile's 4x4 patch d (zero outside the image),
//   2. multiplies: M[e] = V[e] x U[e] for each e, the micro-kernel's products of
//      [tiles x Cin] by [Cin x Cout] (U[e] packed in panels),
//   3. transforms the output: the 2x2 outputs A^T M A, plus bias, ReLU.
// U = G g G^T, the transformed weights, is computed once per call, its rows shared out among the
// threads before a barrier. The transforms run over the channels in the innermost loop, which
// the compiler vectorises (NHWC keeps channels contiguous). Every output is computed by one
// thread in a fixed order, so results depend on nothing but the inputs.
#include "kernels/winograd.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include "fermap/error.hpp"
#include "kernels/microkernel.hpp"
#include "kernels/parallel.hpp"

namespace fermap::kernels {

namespace {

constexpr int kPositions = 16;  // the transformed 4x4 patch
constexpr int kMinChannels = 16;

// Tiles per block: V and M of a block, 16 x tiles x (Cin + Cout) floats, stay within about
// kBlockBytes of L2; a whole number of micro-tiles, between 1 and 8 of them.
constexpr int kBlockBytes = 512 * 1024;
int block_tiles(const ConvGeometry& g) {
  const int fit = (kBlockBytes / static_cast<int>(sizeof(float)) / kPositions) / (g.cin + g.cout);
  return std::clamp(fit / kMR * kMR, kMR, 8 * kMR);
}

// Transformed weights, packed: position e's [Cin x Cout] matrix at u + e * packed_size(Cin, Cout),
// in kNR-wide panels as the micro-kernel reads them. Rows (input channels) [c0, c1) only;
// `row` is 16 x Cout floats of scratch.
void transform_weights(const ConvGeometry& g, const float* w, int64_t c0, int64_t c1, float* u, float* row) {
  const int64_t cin = g.cin, cout = g.cout, matrix = packed_size(cin, g.cout);
  const int panels = (g.cout + kNR - 1) / kNR;
  for (int64_t ci = c0; ci < c1; ++ci) {
    const float* k[3][3];
    for (int ky = 0; ky < 3; ++ky)
      for (int kx = 0; kx < 3; ++kx) k[ky][kx] = w + ((ky * 3 + kx) * cin + ci) * cout;
#pragma omp simd
    for (int64_t co = 0; co < cout; ++co) {
      // G g: rows g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2 (g's rows are ky).
      float gg[4][3];
      for (int kx = 0; kx < 3; ++kx) {
        const float a = k[0][kx][co], b = k[1][kx][co], c = k[2][kx][co];
        gg[0][kx] = a, gg[1][kx] = 0.5f * (a + b + c), gg[2][kx] = 0.5f * (a - b + c), gg[3][kx] = c;
      }
      // (G g) G^T: the same combination along kx.
      for (int i = 0; i < 4; ++i) {
        const float a = gg[i][0], b = gg[i][1], c = gg[i][2];
        row[(i * 4 + 0) * cout + co] = a;
        row[(i * 4 + 1) * cout + co] = 0.5f * (a + b + c);
        row[(i * 4 + 2) * cout + co] = 0.5f * (a - b + c);
        row[(i * 4 + 3) * cout + co] = c;
      }
    }
    for (int e = 0; e < kPositions; ++e)
      for (int p = 0; p < panels; ++p) {
        float* dst = u + e * matrix + p * cin * kNR + ci * kNR;
        const int cols = std::min<int>(kNR, g.cout - p * kNR);
        std::memcpy(dst, row + e * cout + p * kNR, static_cast<size_t>(cols) * sizeof(float));
        std::fill(dst + cols, dst + kNR, 0.0f);
      }
  }
}

// Where tile q (of all N x TH x TW) starts: image, first output row and column.
struct TileOrigin {
  int n, oy, ox;
};
TileOrigin tile_origin(int64_t q, int th, int tw) {
  const int64_t per_image = static_cast<int64_t>(th) * tw;
  const int n = static_cast<int>(q / per_image), t = static_cast<int>(q % per_image);
  return {n, 2 * (t / tw), 2 * (t % tw)};
}

// Step 1 for tiles [q0, q0 + tiles): v holds 16 matrices of `block` rows of Cin floats.
void transform_input(const ConvGeometry& g, const float* x, int64_t q0, int tiles, int block, int th, int tw,
                     const float* zeros, float* v) {
  const int64_t cin = g.cin, plane = static_cast<int64_t>(block) * cin;
  for (int r = 0; r < tiles; ++r) {
    const TileOrigin o = tile_origin(q0 + r, th, tw);
    const float* d[4][4];
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j) {
        const int iy = o.oy - g.pad_top + i, ix = o.ox - g.pad_left + j;
        const bool inside = iy >= 0 && iy < g.h && ix >= 0 && ix < g.w;
        d[i][j] = inside ? x + ((static_cast<int64_t>(o.n) * g.h + iy) * g.w + ix) * cin : zeros;
      }
    float* out = v + r * cin;
#pragma omp simd
    for (int64_t c = 0; c < cin; ++c) {
      // B^T d: rows d0 - d2, d1 + d2, d2 - d1, d1 - d3; then the same along the columns.
      float t[4][4];
      for (int j = 0; j < 4; ++j) {
        const float a = d[0][j][c], b = d[1][j][c], e = d[2][j][c], f = d[3][j][c];
        t[0][j] = a - e, t[1][j] = b + e, t[2][j] = e - b, t[3][j] = b - f;
      }
      for (int i = 0; i < 4; ++i) {
        const float a = t[i][0], b = t[i][1], e = t[i][2], f = t[i][3];
        out[(i * 4 + 0) * plane + c] = a - e;
        out[(i * 4 + 1) * plane + c] = b + e;
        out[(i * 4 + 2) * plane + c] = e - b;
        out[(i * 4 + 3) * plane + c] = b - f;
      }
    }
  }
}

// Step 2: m[e] = v[e] x u[e] for the block's rows.
void multiply(const ConvGeometry& g, const float* v, const float* u, int tiles, int block, float* m) {
  const int64_t cin = g.cin, cout = g.cout, matrix = packed_size(cin, g.cout);
  const int panels = (g.cout + kNR - 1) / kNR;
  TileArgs t;
  t.lda = cin, t.runs = 1, t.run_len = g.cin, t.ldb = kNR, t.b_packed = true, t.ldc = cout;
  for (int e = 0; e < kPositions; ++e)
    for (int p = 0; p < panels; ++p) {
      t.b = u + e * matrix + p * cin * kNR, t.n = std::min(kNR, g.cout - p * kNR);
      for (int r = 0; r < tiles; r += kMR) {
        t.a = v + (e * static_cast<int64_t>(block) + r) * cin;
        t.c = m + (e * static_cast<int64_t>(block) + r) * cout + p * kNR;
        t.m = std::min(kMR, tiles - r);
        tile_product(t);
      }
    }
}

// Step 3: y's 2x2 outputs of each tile, plus bias (`bias` is never null: zeros when there is
// none), ReLU; outputs past the image's edge go to `sink`.
void transform_output(const ConvGeometry& g, const float* m, int64_t q0, int tiles, int block, int th, int tw,
                      const float* bias, bool relu, float* sink, float* y) {
  const int64_t cout = g.cout, plane = static_cast<int64_t>(block) * cout;
  // max(v, floor) is the ReLU when floor is 0 and nothing when it is -inf: no branch in the loop.
  const float floor = relu ? 0.0f : -std::numeric_limits<float>::infinity();
  for (int r = 0; r < tiles; ++r) {
    const TileOrigin o = tile_origin(q0 + r, th, tw);
    auto at = [&](int a, int b) {
      const int oy = o.oy + a, ox = o.ox + b;
      return oy < g.oh && ox < g.ow ? y + ((static_cast<int64_t>(o.n) * g.oh + oy) * g.ow + ox) * cout : sink;
    };
    float* __restrict y00 = at(0, 0);
    float* __restrict y01 = at(0, 1);
    float* __restrict y10 = at(1, 0);
    float* __restrict y11 = at(1, 1);
    const float* __restrict in = m + r * cout;
#pragma omp simd
    for (int64_t co = 0; co < cout; ++co) {
      // A^T M: rows m0 + m1 + m2, m1 - m2 - m3; then the same along the columns.
      float s0[4], s1[4];
      for (int j = 0; j < 4; ++j) {
        const float a = in[j * plane + co], b = in[(4 + j) * plane + co];
        const float c = in[(8 + j) * plane + co], d = in[(12 + j) * plane + co];
        s0[j] = a + b + c, s1[j] = b - c - d;
      }
      const float base = bias[co];
      y00[co] = std::max(base + s0[0] + s0[1] + s0[2], floor);
      y01[co] = std::max(base + s0[1] - s0[2] - s0[3], floor);
      y10[co] = std::max(base + s1[0] + s1[1] + s1[2], floor);
      y11[co] = std::max(base + s1[1] - s1[2] - s1[3], floor);
    }
  }
}

}  // namespace

bool winograd_suits(const ConvGeometry& g) {
  return g.kh == 3 && g.kw == 3 && g.stride == 1 && g.cin >= kMinChannels && g.cout >= kMinChannels;
}

void conv2d_forward_winograd(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                             bool relu, float* y) {
  if (g.kh != 3 || g.kw != 3 || g.stride != 1) throw ShapeError("Winograd F(2x2, 3x3) needs a 3x3 kernel, stride 1");
  const int th = (g.oh + 1) / 2, tw = (g.ow + 1) / 2;
  const int64_t total = static_cast<int64_t>(g.n) * th * tw;
  if (total == 0) return;
  const int team = kernel_threads(g.forward_flops());
  // At a small batch, smaller blocks: at least two per thread, so that the threads finish together.
  const int64_t per_thread = (total + 2 * team - 1) / (2 * team);
  const int block = static_cast<int>(std::min<int64_t>(block_tiles(g), (per_thread + kMR - 1) / kMR * kMR));
  const int64_t blocks = (total + block - 1) / block;
  const int threads = static_cast<int>(std::min<int64_t>(team, blocks));
  const int64_t matrix = packed_size(g.cin, g.cout);
  float* u = thread_scratch(static_cast<size_t>(kPositions * matrix), kSlotShared);
#pragma omp parallel num_threads(threads)
  {
    int64_t c0, c1;
    team_part(g.cin, c0, c1);
    float* row = thread_scratch(static_cast<size_t>(kPositions) * g.cout, kSlotPackB);
    transform_weights(g, w, c0, c1, u, row);
    const int64_t v_floats = int64_t{kPositions} * block * g.cin, m_floats = int64_t{kPositions} * block * g.cout;
    float* v = thread_scratch(static_cast<size_t>(v_floats + m_floats), kSlotInput);
    float* m = v + v_floats;
    // Zeros (the padding's input pixels, the missing bias), then a sink for outputs past the edge.
    const int zeros = std::max(g.cin, g.cout);
    float* edge = thread_scratch(static_cast<size_t>(zeros + g.cout), kSlotPackA);
    std::fill(edge, edge + zeros, 0.0f);
#pragma omp barrier
#pragma omp for schedule(dynamic, 1) nowait
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t q0 = b * block;
      const int tiles = static_cast<int>(std::min<int64_t>(block, total - q0));
      transform_input(g, x, q0, tiles, block, th, tw, edge, v);
      multiply(g, v, u, tiles, block, m);
      transform_output(g, m, q0, tiles, block, th, tw, bias ? bias : edge, relu, edge + zeros, y);
    }
  }
}

}  // namespace fermap::kernels
