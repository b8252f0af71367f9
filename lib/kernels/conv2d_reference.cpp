// The direct convolution loops: the oracles the fast kernels are tested against. Double
// accumulation, no blocking, no threads -- slow and obviously right.
#include <algorithm>

#include "kernels/conv2d.hpp"

namespace fermap::kernels {

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
