// Depthwise kernels against the direct loops on awkward sizes, stride 2, and custom_cnn's shapes.
#include <vector>

#include "kernel_check.hpp"
#include "kernels/depthwise.hpp"

using fermap::kernels::ConvGeometry;
using fermap::test::kTolerance;
using fermap::test::max_rel_diff;
using fermap::test::random_vector;

namespace {

void check_depthwise(int n, int h, int w, int c, int k, int stride, bool same) {
  ConvGeometry g;
  g.n = n, g.h = h, g.w = w, g.cin = c, g.cout = c, g.kh = k, g.kw = k, g.stride = stride;
  const auto py = fermap::kernels::plan_conv_dim(h, k, stride, same);
  const auto px = fermap::kernels::plan_conv_dim(w, k, stride, same);
  g.oh = py.out, g.ow = px.out, g.pad_top = py.pad_before, g.pad_left = px.pad_before;
  INFO("n " << n << " h " << h << " w " << w << " c " << c << " k " << k << " stride " << stride);
  const size_t xs = static_cast<size_t>(n) * h * w * c, ys = static_cast<size_t>(g.out_pixels()) * c;
  const auto x = random_vector(xs, 21), wk = random_vector(static_cast<size_t>(k) * k * c, 22);
  const auto dy = random_vector(ys, 23);
  fermap::test::at_thread_counts([&] {
    std::vector<float> y(ys, 5.0f), yr(ys, 5.0f);
    fermap::kernels::depthwise_forward(g, x.data(), wk.data(), y.data());
    fermap::kernels::depthwise_forward_reference(g, x.data(), wk.data(), yr.data());
    CHECK(max_rel_diff(y, yr) <= kTolerance);
    std::vector<float> dx(xs, 5.0f), dxr(xs, 5.0f);
    fermap::kernels::depthwise_backward_data(g, dy.data(), wk.data(), dx.data());
    fermap::kernels::depthwise_backward_data_reference(g, dy.data(), wk.data(), dxr.data());
    CHECK(max_rel_diff(dx, dxr) <= kTolerance);
    auto dw = random_vector(wk.size(), 24), dwr = dw;
    fermap::kernels::depthwise_backward_weights(g, x.data(), dy.data(), dw.data());
    fermap::kernels::depthwise_backward_weights_reference(g, x.data(), dy.data(), dwr.data());
    CHECK(max_rel_diff(dw, dwr) <= kTolerance);
  });
}

}  // namespace

TEST_CASE("depthwise kernels equal the reference", "[kernels][depthwise]") {
  for (int s : {1, 3, 7, 13, 47}) check_depthwise(2, s, s == 47 ? 3 : s, s, 3, 1, true);
  check_depthwise(1, 13, 7, 5, 3, 2, true);
  check_depthwise(2, 13, 13, 3, 7, 1, false);
  check_depthwise(3, 12, 12, 96, 3, 1, true);   // custom_cnn's separable convolutions
  check_depthwise(2, 12, 12, 128, 3, 1, true);
}
