// Depthwise 2-D convolution (depth multiplier 1), NHWC, weights [KH][KW][C]:
//   y[n,oy,ox,c] = sum_{ky,kx} x[n, oy*s-pt+ky, ox*s-pl+kx, c] * w[ky,kx,c]
// The inner loop runs over channels, so it vectorises. Shares ConvGeometry with conv2d (cout == cin).
#pragma once

#include "kernels/conv2d.hpp"

namespace fermap::kernels {

void depthwise_forward(const ConvGeometry& g, const float* x, const float* w, float* y);
void depthwise_backward_data(const ConvGeometry& g, const float* dy, const float* w, float* dx);
void depthwise_backward_weights(const ConvGeometry& g, const float* x, const float* dy, float* dw);

// Direct loops, the oracles for tests (dx assigned, dw accumulated, as above).
void depthwise_forward_reference(const ConvGeometry& g, const float* x, const float* w, float* y);
void depthwise_backward_data_reference(const ConvGeometry& g, const float* dy, const float* w, float* dx);
void depthwise_backward_weights_reference(const ConvGeometry& g, const float* x, const float* dy, float* dw);

}  // namespace fermap::kernels
