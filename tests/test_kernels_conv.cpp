// The fast convolution kernels against the direct loops, on awkward sizes (1, 3, 7, 13, 47), on
// strides 1 and 2, 1x1 and 7x7 valid, and on every convolution of custom_cnn at a small batch.
#include <string>
#include <vector>

#include "kernel_check.hpp"
#include "fermap/error.hpp"
#include "kernels/conv2d.hpp"
#include "kernels/winograd.hpp"

using fermap::kernels::ConvGeometry;
using fermap::test::kTolerance;
using fermap::test::max_rel_diff;
using fermap::test::random_vector;

namespace {

ConvGeometry make(int n, int h, int w, int cin, int kh, int kw, int cout, int stride, bool same) {
  ConvGeometry g;
  g.n = n, g.h = h, g.w = w, g.cin = cin, g.kh = kh, g.kw = kw, g.cout = cout, g.stride = stride;
  const auto py = fermap::kernels::plan_conv_dim(h, kh, stride, same);
  const auto px = fermap::kernels::plan_conv_dim(w, kw, stride, same);
  g.oh = py.out, g.ow = px.out, g.pad_top = py.pad_before, g.pad_left = px.pad_before;
  return g;
}

ConvGeometry make(int n, int h, int w, int cin, int k, int cout, int stride, bool same) {
  return make(n, h, w, cin, k, k, cout, stride, same);
}

std::string describe(const ConvGeometry& g) {
  return std::to_string(g.n) + "x" + std::to_string(g.h) + "x" + std::to_string(g.w) + "x" +
         std::to_string(g.cin) + " k" + std::to_string(g.kh) + "x" + std::to_string(g.kw) + " s" +
         std::to_string(g.stride) + " pad " + std::to_string(g.pad_top) + "," + std::to_string(g.pad_left) +
         " -> " + std::to_string(g.oh) + "x" + std::to_string(g.ow) + "x" + std::to_string(g.cout);
}

void check_all_directions(const ConvGeometry& g, bool with_backward_data = true) {
  INFO(describe(g));
  const size_t xs = static_cast<size_t>(g.n) * g.h * g.w * g.cin;
  const size_t ys = static_cast<size_t>(g.out_pixels()) * g.cout;
  const size_t ws = static_cast<size_t>(g.patch()) * g.cout;
  const auto x = random_vector(xs, 1), w = random_vector(ws, 2, -0.2f, 0.2f);
  const auto bias = random_vector(static_cast<size_t>(g.cout), 3), dy = random_vector(ys, 4);
  fermap::test::at_thread_counts([&] {
    for (bool relu : {false, true}) {
      std::vector<float> y(ys, 7.0f), ref(ys, 7.0f);
      fermap::kernels::conv2d_forward(g, x.data(), w.data(), bias.data(), relu, y.data());
      fermap::kernels::conv2d_forward_reference(g, x.data(), w.data(), bias.data(), relu, ref.data());
      INFO("forward, relu " << relu);
      CHECK(max_rel_diff(y, ref) <= kTolerance);
    }
    {
      std::vector<float> y(ys), ref(ys);
      fermap::kernels::conv2d_forward(g, x.data(), w.data(), nullptr, false, y.data());
      fermap::kernels::conv2d_forward_reference(g, x.data(), w.data(), nullptr, false, ref.data());
      INFO("forward, no bias");
      CHECK(max_rel_diff(y, ref) <= kTolerance);
    }
    if (with_backward_data) {
      std::vector<float> dx(xs, 7.0f), ref(xs, 7.0f);
      fermap::kernels::conv2d_backward_data(g, dy.data(), w.data(), dx.data());
      fermap::kernels::conv2d_backward_data_reference(g, dy.data(), w.data(), ref.data());
      INFO("backward data");
      CHECK(max_rel_diff(dx, ref) <= kTolerance);
    }
    for (bool with_bias : {true, false}) {
      // Gradients accumulate: start from a non-zero value.
      auto dw = random_vector(ws, 5), ref = dw;
      auto db = random_vector(static_cast<size_t>(g.cout), 6), dbref = db;
      fermap::kernels::conv2d_backward_weights(g, x.data(), dy.data(), dw.data(), with_bias ? db.data() : nullptr);
      fermap::kernels::conv2d_backward_weights_reference(g, x.data(), dy.data(), ref.data(),
                                                         with_bias ? dbref.data() : nullptr);
      INFO("backward weights, bias " << with_bias);
      CHECK(max_rel_diff(dw, ref) <= kTolerance);
      CHECK(max_rel_diff(db, dbref) <= kTolerance);
    }
  });
}

}  // namespace

TEST_CASE("conv2d kernels equal the reference on awkward sizes", "[kernels][conv]") {
  check_all_directions(make(1, 1, 1, 1, 3, 1, 1, true));
  check_all_directions(make(2, 7, 13, 3, 3, 5, 1, true));
  check_all_directions(make(3, 13, 7, 13, 3, 47, 1, true));
  check_all_directions(make(1, 47, 3, 7, 3, 33, 1, true));
  check_all_directions(make(2, 3, 47, 47, 3, 13, 1, true));
  check_all_directions(make(1, 13, 13, 17, 3, 31, 1, false));
  check_all_directions(make(1, 13, 13, 16, 3, 64, 1, true));
}

TEST_CASE("conv2d kernels equal the reference with stride 2", "[kernels][conv]") {
  check_all_directions(make(2, 13, 13, 5, 3, 17, 2, true));
  check_all_directions(make(1, 47, 47, 3, 3, 13, 2, true));
  check_all_directions(make(2, 7, 13, 32, 3, 40, 2, false));
}

TEST_CASE("conv2d kernels equal the reference on 1x1 and 7x7 kernels", "[kernels][conv]") {
  check_all_directions(make(2, 7, 7, 47, 1, 13, 1, false));     // pointwise, no copy
  check_all_directions(make(3, 13, 13, 33, 1, 65, 1, true));
  check_all_directions(make(2, 13, 13, 7, 1, 13, 2, false));    // ResNet's strided shortcut
  check_all_directions(make(2, 13, 13, 3, 7, 7, 1, false));     // 7x7 valid
  check_all_directions(make(1, 47, 47, 3, 7, 13, 2, false));    // 7x7 valid, stride 2
  check_all_directions(make(1, 13, 7, 5, 1, 7, 9, 1, true));    // 1x7
}

TEST_CASE("conv2d kernels equal the reference on custom_cnn's convolutions", "[kernels][conv]") {
  check_all_directions(make(2, 48, 48, 1, 3, 32, 1, true), false);
  check_all_directions(make(2, 48, 48, 32, 3, 64, 1, true));
  check_all_directions(make(2, 24, 24, 64, 3, 96, 1, true));
  check_all_directions(make(1, 24, 24, 96, 3, 96, 1, true));
  check_all_directions(make(2, 12, 12, 96, 1, 128, 1, true));
  check_all_directions(make(2, 12, 12, 128, 1, 128, 1, true));
}

TEST_CASE("Winograd F(2x2, 3x3) equals the direct convolution on awkward sizes and paddings", "[kernels][conv]") {
  ConvGeometry odd_pads = make(2, 9, 11, 5, 3, 7, 1, false);  // valid, then one side padded by hand
  odd_pads.pad_left = 1, odd_pads.ow = 11;
  for (const ConvGeometry& g : {make(1, 1, 1, 1, 3, 1, 1, true), make(2, 7, 13, 3, 3, 5, 1, true),
                                make(3, 13, 7, 13, 3, 47, 1, true), make(1, 13, 13, 17, 3, 31, 1, false),
                                make(2, 47, 3, 33, 3, 40, 1, true), make(1, 24, 24, 96, 3, 96, 1, true), odd_pads}) {
    INFO(describe(g));
    const size_t xs = static_cast<size_t>(g.n) * g.h * g.w * g.cin, ys = static_cast<size_t>(g.out_pixels()) * g.cout;
    const auto x = random_vector(xs, 11), w = random_vector(static_cast<size_t>(g.patch()) * g.cout, 12, -0.2f, 0.2f);
    const auto bias = random_vector(static_cast<size_t>(g.cout), 13);
    fermap::test::at_thread_counts([&] {
      for (bool relu : {false, true}) {
        std::vector<float> y(ys, 7.0f), ref(ys, 7.0f);
        fermap::kernels::conv2d_forward_winograd(g, x.data(), w.data(), relu ? bias.data() : nullptr, relu, y.data());
        fermap::kernels::conv2d_forward_reference(g, x.data(), w.data(), relu ? bias.data() : nullptr, relu, ref.data());
        INFO("relu " << relu);
        CHECK(max_rel_diff(y, ref) <= kTolerance);
      }
    });
  }
  CHECK_THROWS_AS(fermap::kernels::conv2d_forward_winograd(make(1, 8, 8, 16, 3, 16, 2, true), nullptr, nullptr,
                                                           nullptr, false, nullptr),
                  fermap::ShapeError);
}
