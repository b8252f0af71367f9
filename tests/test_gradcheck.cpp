// Finite-difference gradient checks of every layer, inputs and parameters, on odd shapes.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "fermap/layers.hpp"
#include "gradcheck.hpp"

using namespace fermap;
using fermap::test::gradcheck;

TEST_CASE("Conv2D gradients: same padding, bias, ReLU", "[gradcheck]") {
  Conv2DOptions o;
  o.filters = 4, o.activation = Activation::relu;
  Conv2D layer(o);
  gradcheck(layer, {5, 7, 3}, 3);
}

TEST_CASE("Conv2D gradients: stride 2, same padding, no bias", "[gradcheck]") {
  Conv2DOptions o;
  o.filters = 5, o.stride = 2, o.use_bias = false;
  Conv2D layer(o);
  gradcheck(layer, {7, 6, 3}, 2);
}

TEST_CASE("Conv2D gradients: 1x1 and 7x7 valid stride 2", "[gradcheck]") {
  Conv2DOptions a;
  a.filters = 6, a.kernel = {1, 1}, a.padding = Padding::valid;
  Conv2D pointwise(a);
  gradcheck(pointwise, {5, 7, 3}, 3);
  Conv2DOptions b;
  b.filters = 2, b.kernel = {7, 7}, b.stride = 2, b.padding = Padding::valid;
  Conv2D big(b);
  gradcheck(big, {11, 9, 2}, 2);
}

TEST_CASE("DepthwiseConv2D gradients", "[gradcheck]") {
  DepthwiseConv2DOptions o;
  o.activation = Activation::relu;
  DepthwiseConv2D layer(o);
  gradcheck(layer, {5, 7, 3}, 3);
  DepthwiseConv2DOptions s;
  s.stride = 2, s.use_bias = false;
  DepthwiseConv2D strided(s);
  gradcheck(strided, {7, 5, 4}, 2);
}

TEST_CASE("SeparableConv2D gradients", "[gradcheck]") {
  SeparableConv2DOptions o;
  o.filters = 4, o.activation = Activation::relu;
  SeparableConv2D layer(o);
  gradcheck(layer, {5, 7, 3}, 3);
}

TEST_CASE("BatchNormalization gradients in training mode", "[gradcheck]") {
  BatchNormalization image_bn;
  gradcheck(image_bn, {5, 7, 3}, 3);
  BatchNormalization feature_bn;
  gradcheck(feature_bn, {6}, 5);
}

TEST_CASE("MaxPooling2D gradients", "[gradcheck]") {
  MaxPooling2D two;
  gradcheck(two, {6, 8, 3}, 3);
  MaxPooling2D three(MaxPool2DOptions{{3, 3}, 2, Padding::same});
  gradcheck(three, {7, 5, 2}, 2);
}

TEST_CASE("Dropout gradients with the mask held fixed", "[gradcheck]") {
  Dropout layer(0.4f);
  test::GradCheckOptions o;
  o.before_forward = [&] { layer.set_state({{"calls", 0}}); };
  gradcheck(layer, {5, 7, 3}, 3, o);
}

TEST_CASE("Dense gradients", "[gradcheck]") {
  DenseOptions o;
  o.units = 5, o.activation = Activation::relu;
  Dense layer(o);
  gradcheck(layer, {7}, 3);
  DenseOptions lin;
  lin.units = 3, lin.use_bias = false;
  Dense linear(lin);
  gradcheck(linear, {4}, 5);
}

TEST_CASE("ReLU, Flatten, ZeroPadding2D and GlobalAveragePooling2D gradients", "[gradcheck]") {
  ReLU relu;
  gradcheck(relu, {5, 7, 3}, 3);
  Flatten flatten;
  gradcheck(flatten, {5, 7, 3}, 2);
  ZeroPadding2D pad(ZeroPadding2DOptions{1, 2, 3, 0});
  gradcheck(pad, {5, 7, 3}, 2);
  GlobalAveragePooling2D gap;
  gradcheck(gap, {5, 7, 3}, 3);
}

TEST_CASE("ResidualBlock gradients, identity and projection shortcuts", "[gradcheck]") {
  auto conv = [](int filters, int stride) {
    Conv2DOptions o;
    o.filters = filters, o.stride = stride;
    return std::make_unique<Conv2D>(o);
  };
  {
    LayerChain main, shortcut;
    main.add(conv(3, 1));
    main.add(std::make_unique<BatchNormalization>());
    main.add(std::make_unique<ReLU>());
    main.add(conv(3, 1));
    ResidualBlock block(std::move(main), std::move(shortcut));
    gradcheck(block, {5, 7, 3}, 3);
  }
  {
    LayerChain main, shortcut;
    main.add(conv(4, 2));
    main.add(std::make_unique<BatchNormalization>());
    shortcut.add(conv(4, 2));
    ResidualBlock block(std::move(main), std::move(shortcut));
    gradcheck(block, {7, 5, 3}, 2);
  }
}
