// GEMM: the one matrix product every convolution and dense layer reduces to.
//   C[m x n] = beta * C + op(A)[m x k] * op(B)[k x n]      (row-major, leading dimensions given)
// `gemm` runs on the calling thread; `gemm_parallel` splits C's rows (or columns when m is small)
// across the OpenMP threads. Kernels call these, so a faster GEMM replaces them in one place.
#pragma once

namespace fermap::kernels {

struct GemmArgs {
  bool trans_a = false, trans_b = false;
  int m = 0, n = 0, k = 0;
  const float* a = nullptr;
  int lda = 0;
  const float* b = nullptr;
  int ldb = 0;
  float beta = 0.0f;  // 0: overwrite C; 1: accumulate into C
  float* c = nullptr;
  int ldc = 0;
};

void gemm(const GemmArgs& g);
void gemm_parallel(const GemmArgs& g);
// Plain triple loop, the oracle for tests.
void gemm_reference(const GemmArgs& g);

}  // namespace fermap::kernels
