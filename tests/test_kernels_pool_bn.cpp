// Max pooling and batch-norm kernels against their plain references.
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernel_check.hpp"
#include "kernels/batch_norm.hpp"
#include "kernels/pool.hpp"

using fermap::kernels::ConvGeometry;
using fermap::test::kTolerance;
using fermap::test::max_rel_diff;
using fermap::test::random_vector;

TEST_CASE("max pooling equals the reference", "[kernels][pool]") {
  struct Case {
    int n, h, w, c, k, stride;
    bool same;
  };
  for (const Case& cs : {Case{2, 48, 48, 64, 2, 2, false}, Case{1, 7, 13, 3, 2, 2, false},
                         Case{2, 13, 13, 47, 3, 2, true}, Case{1, 1, 1, 1, 2, 2, true}, Case{3, 7, 7, 13, 3, 1, true}}) {
    ConvGeometry g;
    g.n = cs.n, g.h = cs.h, g.w = cs.w, g.cin = g.cout = cs.c, g.kh = g.kw = cs.k, g.stride = cs.stride;
    const auto py = fermap::kernels::plan_conv_dim(cs.h, cs.k, cs.stride, cs.same);
    const auto px = fermap::kernels::plan_conv_dim(cs.w, cs.k, cs.stride, cs.same);
    g.oh = py.out, g.ow = px.out, g.pad_top = py.pad_before, g.pad_left = px.pad_before;
    INFO("pool " << cs.h << "x" << cs.w << "x" << cs.c << " k " << cs.k << " s " << cs.stride);
    const size_t xs = static_cast<size_t>(g.n) * g.h * g.w * g.cin, ys = static_cast<size_t>(g.out_pixels()) * g.cin;
    auto x = random_vector(xs, 31);
    for (size_t i = 0; i < xs; i += 7) x[i] = x[i / 2];  // ties: the first maximum must win
    const auto dy = random_vector(ys, 32);
    fermap::test::at_thread_counts([&] {
      std::vector<float> y(ys), yr(ys), dx(xs, 3.0f), dxr(xs, 3.0f);
      std::vector<int32_t> arg(ys), argr(ys);
      fermap::kernels::maxpool2d_forward(g, x.data(), y.data(), arg.data());
      fermap::kernels::maxpool2d_forward_reference(g, x.data(), yr.data(), argr.data());
      CHECK(y == yr);
      CHECK(arg == argr);
      const int64_t in_image = static_cast<int64_t>(g.h) * g.w * g.cin;  // argmax counts within each image
      CHECK(*std::max_element(arg.begin(), arg.end()) < in_image);
      fermap::kernels::maxpool2d_backward(g, dy.data(), arg.data(), dx.data());
      fermap::kernels::maxpool2d_backward_reference(g, dy.data(), argr.data(), dxr.data());
      CHECK(max_rel_diff(dx, dxr) <= kTolerance);
      std::vector<float> yi(ys);
      fermap::kernels::maxpool2d_forward(g, x.data(), yi.data(), nullptr);
      CHECK(yi == yr);
    });
  }
}

TEST_CASE("batch-norm kernels equal the reference", "[kernels][batch_norm]") {
  for (auto [rows, c] : {std::pair<int64_t, int>{1, 1}, {3, 7}, {47, 13}, {64 * 48 * 48 / 16, 64}, {64, 256}}) {
    INFO("rows " << rows << " channels " << c);
    // An offset far from zero: the variance must not cancel.
    auto x = random_vector(static_cast<size_t>(rows) * c, 41, 99.0f, 101.0f);
    const auto dy = random_vector(x.size(), 42);
    const auto gamma = random_vector(static_cast<size_t>(c), 43), beta = random_vector(static_cast<size_t>(c), 44);
    fermap::test::at_thread_counts([&] {
      std::vector<float> mean(static_cast<size_t>(c)), var(mean), meanr(mean), varr(mean), inv(mean);
      fermap::kernels::batch_norm_statistics(rows, c, x.data(), mean.data(), var.data());
      fermap::kernels::batch_norm_statistics_reference(rows, c, x.data(), meanr.data(), varr.data());
      CHECK(max_rel_diff(mean, meanr) <= kTolerance);
      CHECK(max_rel_diff(var, varr) <= kTolerance);
      for (int k = 0; k < c; ++k) inv[static_cast<size_t>(k)] = 1.0f / std::sqrt(varr[static_cast<size_t>(k)] + 1e-3f);
      std::vector<float> y(x.size());
      fermap::kernels::batch_norm_apply(rows, c, x.data(), meanr.data(), inv.data(), gamma.data(), beta.data(), y.data());
      std::vector<float> yr(x.size());
      for (int64_t r = 0; r < rows; ++r)
        for (int k = 0; k < c; ++k) {
          const size_t i = static_cast<size_t>(r * c + k), kk = static_cast<size_t>(k);
          yr[i] = gamma[kk] * (x[i] - meanr[kk]) * inv[kk] + beta[kk];
        }
      CHECK(max_rel_diff(y, yr) <= kTolerance);
      std::vector<float> dx(x.size()), dxr(x.size()), dg(mean.size(), 1.0f), dgr(dg), db(dg), dbr(dg);
      fermap::kernels::batch_norm_backward(rows, c, x.data(), dy.data(), meanr.data(), inv.data(), gamma.data(),
                                           dx.data(), dg.data(), db.data());
      fermap::kernels::batch_norm_backward_reference(rows, c, x.data(), dy.data(), meanr.data(), inv.data(),
                                                     gamma.data(), dxr.data(), dgr.data(), dbr.data());
      CHECK(max_rel_diff(dx, dxr) <= kTolerance);
      CHECK(max_rel_diff(dg, dgr) <= kTolerance);
      CHECK(max_rel_diff(db, dbr) <= kTolerance);
    });
  }
}
