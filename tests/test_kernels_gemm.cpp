// The micro-kernel GEMM against the triple loop: every transpose combination, beta 0/1/other,
// sizes around the micro-tile (1, 3, 7, 13, 47 and the Dense shapes of custom_cnn).
#include <vector>

#include "kernel_check.hpp"
#include "kernels/gemm.hpp"

using fermap::kernels::GemmArgs;
using fermap::test::kTolerance;
using fermap::test::max_rel_diff;
using fermap::test::random_vector;

namespace {

void check_gemm(int m, int n, int k, bool ta, bool tb, float beta, bool parallel) {
  INFO("m " << m << " n " << n << " k " << k << " ta " << ta << " tb " << tb << " beta " << beta
            << " parallel " << parallel);
  const int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 2;  // padded leading dims
  const auto a = random_vector(static_cast<size_t>(ta ? k : m) * lda, 11);
  const auto b = random_vector(static_cast<size_t>(tb ? n : k) * ldb, 12);
  const auto c0 = random_vector(static_cast<size_t>(m) * ldc, 13);
  GemmArgs g;
  g.trans_a = ta, g.trans_b = tb, g.m = m, g.n = n, g.k = k;
  g.a = a.data(), g.lda = lda, g.b = b.data(), g.ldb = ldb, g.beta = beta, g.ldc = ldc;
  fermap::test::at_thread_counts([&] {
    auto c = c0, ref = c0;
    g.c = c.data();
    if (parallel)
      fermap::kernels::gemm_parallel(g);
    else
      fermap::kernels::gemm(g);
    g.c = ref.data();
    fermap::kernels::gemm_reference(g);
    CHECK(max_rel_diff(c, ref) <= kTolerance);
  });
}

}  // namespace

TEST_CASE("gemm equals the reference on awkward sizes and every transpose", "[kernels][gemm]") {
  const int sizes[] = {1, 3, 7, 13, 47};
  for (int m : sizes)
    for (int n : sizes)
      for (int k : {1, 13, 47})
        for (bool ta : {false, true})
          for (bool tb : {false, true}) check_gemm(m, n, k, ta, tb, 0.0f, (m + n + k) % 2 == 0);
  for (float beta : {1.0f, 0.5f}) check_gemm(13, 47, 7, false, false, beta, true);
  check_gemm(5, 9, 0, false, false, 0.5f, false);  // k = 0: C scaled only
}

TEST_CASE("gemm equals the reference on custom_cnn's Dense shapes", "[kernels][gemm]") {
  check_gemm(8, 256, 4608, false, false, 0.0f, true);   // forward
  check_gemm(4608, 256, 8, true, false, 1.0f, true);    // dW += x^T dz
  check_gemm(8, 4608, 256, false, true, 0.0f, true);    // dx = dz W^T
  check_gemm(8, 4, 256, false, false, 0.0f, true);
  check_gemm(256, 4, 8, true, false, 1.0f, true);
  // Batch 1 and 2 take the row-vector product: whole and partial column chunks, overwrite and add.
  check_gemm(1, 256, 4608, false, false, 0.0f, true);
  check_gemm(1, 256, 4608, false, false, 0.0f, false);
  check_gemm(2, 300, 47, false, false, 1.0f, false);
  check_gemm(2, 300, 47, false, false, 0.0f, true);
}
