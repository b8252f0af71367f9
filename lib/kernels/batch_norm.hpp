// Batch-normalisation kernels over rows x channels (NHWC flattened to [N*H*W, C]).
// Training normalises with the batch's mean and biased variance; inference with given statistics.
#pragma once

#include <cstdint>

namespace fermap::kernels {

// Per-channel mean and biased variance of x [rows, c]; double accumulation, per-thread partials
// added in thread order.
void batch_norm_statistics(int64_t rows, int c, const float* x, float* mean, float* var);

// y = gamma * (x - mean) * inv_std + beta, with inv_std = 1/sqrt(var + eps) given per channel.
void batch_norm_apply(int64_t rows, int c, const float* x, const float* mean, const float* inv_std,
                      const float* gamma, const float* beta, float* y);

// Training-mode backward: dx assigned (if non-null), dgamma and dbeta accumulated.
void batch_norm_backward(int64_t rows, int c, const float* x, const float* dy, const float* mean,
                         const float* inv_std, const float* gamma, float* dx, float* dgamma,
                         float* dbeta);

// Plain loops (two-pass statistics in double), the oracles for tests.
void batch_norm_statistics_reference(int64_t rows, int c, const float* x, float* mean, float* var);
void batch_norm_backward_reference(int64_t rows, int c, const float* x, const float* dy, const float* mean,
                                   const float* inv_std, const float* gamma, float* dx, float* dgamma,
                                   float* dbeta);

}  // namespace fermap::kernels
