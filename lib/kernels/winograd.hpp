// Winograd F(2x2, 3x3) convolution (Lavin and Gray, "Fast Algorithms for Convolutional Neural
// Networks", 2015): stride 1, NHWC, weights [3][3][Cin][Cout]. Every 2x2 block of outputs comes
// from the 4x4 input patch around it:
//   Y = A^T [ sum over ci of (G g G^T) .* (B^T d B) ] A
// The element-wise products summed over the input channels are 16 matrix products, one per
// position of the transformed 4x4 patch: [tiles x Cin] x [Cin x Cout], run by the micro-kernel.
// That is 2.25x fewer multiply-adds than the direct convolution; the transforms cost a few
// memory passes and add about 1e-6 of relative rounding error.
// What this is not: F(4x4, 3x3) (fewer operations still, but its larger constants cost accuracy).
#pragma once

#include "kernels/conv2d.hpp"

namespace fermap::kernels {

// True for the convolutions this kernel computes faster than the direct one (3x3, stride 1,
// enough channels on both sides for the products to outweigh the transforms).
bool winograd_suits(const ConvGeometry& g);

// y = act(conv(x, w) + bias), as conv2d_forward; ShapeError unless the kernel is 3x3 with stride 1.
void conv2d_forward_winograd(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                             bool relu, float* y);

}  // namespace fermap::kernels
