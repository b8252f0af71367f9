// Pooling kernels, NHWC: max pooling (with the argmax kept for backward) and global average.
#pragma once

#include <cstdint>

#include "kernels/conv2d.hpp"

namespace fermap::kernels {

// Geometry as for a convolution with cout == cin. `argmax` (may be null in inference) receives,
// per output element, the index of the winning input element within its own image (-1 for a
// window wholly in the padding): per image, so that it fits 32 bits however large the batch.
void maxpool2d_forward(const ConvGeometry& g, const float* x, float* y, int32_t* argmax);
// dx is assigned: zero everywhere but at the winners, which receive dy.
void maxpool2d_backward(const ConvGeometry& g, const float* dy, const int32_t* argmax, float* dx);

// Direct loops, the oracles for tests.
void maxpool2d_forward_reference(const ConvGeometry& g, const float* x, float* y, int32_t* argmax);
void maxpool2d_backward_reference(const ConvGeometry& g, const float* dy, const int32_t* argmax, float* dx);

// [N,H,W,C] -> [N,C] means, and its backward.
void global_avg_pool_forward(int n, int pixels, int c, const float* x, float* y);
void global_avg_pool_backward(int n, int pixels, int c, const float* dy, float* dx);

}  // namespace fermap::kernels
