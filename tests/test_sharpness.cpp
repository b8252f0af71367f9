// Sharpness-aware minimisation (--sam): the move to the neighbourhood's high point and the way back.
#include <cmath>

#include <catch2/catch.hpp>

#include "fermap/error.hpp"
#include "train/sharpness.hpp"

using namespace fermap;

namespace {
// A kernel and a bias with gradients, and a moving statistic without one, named like a model's.
struct Params {
  Param kernel{"kernel"}, bias{"bias"}, moving_mean{"moving_mean"};
  Params() {
    kernel.value = Tensor(Shape{2, 3});
    kernel.grad = Tensor(Shape{2, 3});
    bias.value = Tensor(Shape{3});
    bias.grad = Tensor(Shape{3});
    moving_mean.value = Tensor(Shape{3});
    moving_mean.trainable = false;
    for (int64_t i = 0; i < 6; ++i) {
      kernel.value[i] = 0.1f * static_cast<float>(i) - 0.2f;
      kernel.grad[i] = static_cast<float>(i % 3) - 1.5f;
    }
    for (int64_t i = 0; i < 3; ++i) {
      bias.value[i] = 0.5f;
      bias.grad[i] = 2.0f * static_cast<float>(i);
      moving_mean.value[i] = 7.0f;
    }
  }
  std::vector<NamedParam> named() { return {{"d/kernel", &kernel}, {"d/bias", &bias}, {"bn/moving_mean", &moving_mean}}; }
};

std::vector<float> values(const Param& p) { return {p.value.data(), p.value.data() + p.value.size()}; }
}  // namespace

TEST_CASE("SAM moves the trainable weights by rho along the normalised gradient and back", "[train]") {
  Params p;
  const std::vector<float> kernel = values(p.kernel), bias = values(p.bias), mean = values(p.moving_mean);
  double squares = 0;
  for (const Param* q : {&p.kernel, &p.bias})
    for (int64_t i = 0; i < q->grad.size(); ++i) squares += static_cast<double>(q->grad[i]) * q->grad[i];
  const double norm = std::sqrt(squares);

  const float rho = 0.05f;
  SharpnessAware sam(rho);
  sam.ascend(p.named());
  double moved_squares = 0;
  for (const auto& [param, before] : {std::pair{&p.kernel, kernel}, std::pair{&p.bias, bias}})
    for (int64_t i = 0; i < param->value.size(); ++i) {
      const double move = static_cast<double>(param->value[i]) - before[static_cast<size_t>(i)];
      CHECK(move == Approx(rho * param->grad[i] / norm).margin(1e-6));
      moved_squares += move * move;
    }
  CHECK(std::sqrt(moved_squares) == Approx(rho).epsilon(1e-4));
  CHECK(values(p.moving_mean) == mean);  // no gradient, no move

  // The second pass's gradients stay; the weights come back bit for bit.
  p.kernel.grad.fill(9.0f);
  sam.restore(p.named());
  CHECK(values(p.kernel) == kernel);
  CHECK(values(p.bias) == bias);
  CHECK(p.kernel.grad[0] == 9.0f);
}

TEST_CASE("SAM leaves the weights alone at a zero gradient and refuses a bad rho or other parameters", "[train]") {
  Params p;
  p.kernel.grad.fill(0.0f);
  p.bias.grad.fill(0.0f);
  const std::vector<float> kernel = values(p.kernel);
  SharpnessAware sam(0.1f);
  sam.ascend(p.named());
  CHECK(values(p.kernel) == kernel);
  CHECK_THROWS_WITH(sam.restore({{"d/kernel", &p.kernel}}), Catch::Contains("other parameters"));
  CHECK_THROWS_AS(SharpnessAware(0.0f), ArgumentError);
  CHECK_THROWS_AS(SharpnessAware(-0.05f), ArgumentError);
  CHECK_THROWS_AS(SharpnessAware(std::nanf("")), ArgumentError);
}
