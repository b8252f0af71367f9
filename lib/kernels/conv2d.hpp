// 2-D convolution kernels, NHWC, weights [KH][KW][Cin][Cout].
//   forward:          y[n,oy,ox,co] = act(bias[co] + sum_{ky,kx,ci} x[n, oy*s-pt+ky, ox*s-pl+kx, ci] * w[ky,kx,ci,co])
//   backward_data:    dx = dL/dx given dy (assigned)
//   backward_weights: dw += dL/dw, dbias += dL/dbias (accumulated; dbias may be null)
// Input pixels outside the image read as zero, so "same" and "valid" padding are just pad values.
#pragma once

#include <cstdint>

namespace fermap::kernels {

// The largest kernel (KH * KW taps) the convolution kernels take: they keep per-tap offsets and
// pointers in fixed arrays. The layers refuse larger kernels when they are made.
constexpr int kMaxKernelTaps = 256;

struct ConvGeometry {
  int n = 0, h = 0, w = 0, cin = 0;  // input
  int kh = 0, kw = 0, cout = 0;      // kernel
  int stride = 1;
  int pad_top = 0, pad_left = 0;     // bottom/right padding follows from oh/ow
  int oh = 0, ow = 0;                // output

  int64_t patch() const { return static_cast<int64_t>(kh) * kw * cin; }
  int64_t out_pixels() const { return static_cast<int64_t>(n) * oh * ow; }
  double forward_flops() const { return 2.0 * out_pixels() * patch() * cout; }
};

// Output size and leading padding of a convolution; `same` follows TensorFlow (extra pad at the end).
struct ConvPlan {
  int out = 0, pad_before = 0;
};
ConvPlan plan_conv_dim(int in, int kernel, int stride, bool same);

// Chooses per shape: Winograd F(2x2, 3x3) where it is faster (kernels/winograd.hpp), else direct.
void conv2d_forward(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                    bool relu, float* y);
// The direct convolution, whatever the shape (for tests and benchmarks of the choice).
void conv2d_forward_direct(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                           bool relu, float* y);
void conv2d_backward_data(const ConvGeometry& g, const float* dy, const float* w, float* dx);
void conv2d_backward_weights(const ConvGeometry& g, const float* x, const float* dy, float* dw,
                             float* dbias);

// Direct loops, the oracles for tests.
void conv2d_forward_reference(const ConvGeometry& g, const float* x, const float* w,
                              const float* bias, bool relu, float* y);
void conv2d_backward_data_reference(const ConvGeometry& g, const float* dy, const float* w, float* dx);
void conv2d_backward_weights_reference(const ConvGeometry& g, const float* x, const float* dy,
                                       float* dw, float* dbias);

}  // namespace fermap::kernels
