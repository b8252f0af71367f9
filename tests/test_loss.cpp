// Softmax cross-entropy: value, gradient (finite differences), smoothing, weights, bad labels; L2.
#include <cmath>

#include <catch2/catch.hpp>

#include "fermap/error.hpp"
#include "fermap/loss.hpp"
#include "gradcheck.hpp"

using namespace fermap;

namespace {
double loss_at(const Tensor& z, const std::vector<int>& y, const CrossEntropyOptions& o) {
  Tensor g;
  return softmax_cross_entropy(z, y, o, g);
}
}  // namespace

TEST_CASE("cross-entropy of uniform logits is log K", "[loss]") {
  Tensor z(Shape{2, 4});
  Tensor g;
  const double loss = softmax_cross_entropy(z, {0, 3}, {}, g);
  CHECK(loss == Approx(std::log(4.0)).epsilon(1e-6));
  CHECK(g[0] == Approx((0.25 - 1.0) / 2).epsilon(1e-6));
  CHECK(g[1] == Approx(0.25 / 2).epsilon(1e-6));
}

TEST_CASE("cross-entropy stays finite for huge logits", "[loss]") {
  Tensor z(Shape{1, 3}, {1000.0f, -1000.0f, 0.0f});
  Tensor g;
  const double loss = softmax_cross_entropy(z, {1}, {}, g);
  CHECK(std::isfinite(loss));
  CHECK(loss == Approx(2000.0).epsilon(1e-6));
}

TEST_CASE("cross-entropy gradient matches finite differences with smoothing and weights", "[loss]") {
  Tensor z(Shape{3, 5});
  test::fill_uniform(z, 3, -2.0f, 2.0f);
  const std::vector<int> y = {4, 0, 2};
  CrossEntropyOptions o;
  o.label_smoothing = 0.1f;
  o.class_weights = {1.0f, 2.0f, 0.5f, 1.0f, 3.0f};
  Tensor g;
  softmax_cross_entropy(z, y, o, g);
  for (int64_t i = 0; i < z.size(); ++i) {
    const float saved = z[i];
    z[i] = saved + 1e-2f;
    const double plus = loss_at(z, y, o);
    z[i] = saved - 1e-2f;
    const double minus = loss_at(z, y, o);
    z[i] = saved;
    CHECK(g[i] == Approx((plus - minus) / 2e-2).margin(1e-4));
  }
}

TEST_CASE("cross-entropy rejects labels outside the classes", "[loss]") {
  Tensor z(Shape{1, 4}), g;
  CHECK_THROWS_AS(softmax_cross_entropy(z, {4}, {}, g), ArgumentError);
  CHECK_THROWS_AS(softmax_cross_entropy(z, {-2}, {}, g), ArgumentError);
  CHECK_THROWS_AS(softmax_cross_entropy(z, {0, 1}, {}, g), ShapeError);
}

TEST_CASE("an unlabelled row adds nothing to the cross-entropy, which stays a mean over all rows", "[loss]") {
  Tensor z(Shape{3, 4});
  test::fill_uniform(z, 5, -2.0f, 2.0f);
  CrossEntropyOptions o;
  o.label_smoothing = 0.1f;
  Tensor g_all, g_alone;
  const double with_unlabelled = softmax_cross_entropy(z, {2, kUnlabeled, 0}, o, g_all);
  // The labelled rows alone, as a batch of their own (mean over 2 rows, not 3).
  Tensor labelled(Shape{2, 4});
  for (int j = 0; j < 4; ++j) {
    labelled[j] = z[j];
    labelled[4 + j] = z[8 + j];
  }
  const double alone = softmax_cross_entropy(labelled, {2, 0}, o, g_alone);
  CHECK(with_unlabelled == Approx(alone * 2.0 / 3.0).epsilon(1e-6));
  for (int j = 0; j < 4; ++j) {
    CHECK(g_all[4 + j] == 0.0f);
    CHECK(g_all[j] == Approx(g_alone[j] * 2.0 / 3.0).epsilon(1e-5));
    CHECK(g_all[8 + j] == Approx(g_alone[4 + j] * 2.0 / 3.0).epsilon(1e-5));
  }
}

TEST_CASE("L2 penalty and gradient follow Keras: lambda*sum(w^2), 2*lambda*w", "[loss]") {
  Param kernel("kernel"), bias("bias");
  kernel.l2 = true;
  kernel.value = Tensor(Shape{3}, {1.0f, -2.0f, 3.0f});
  kernel.grad = Tensor(Shape{3});
  bias.value = Tensor(Shape{1}, {5.0f});
  bias.grad = Tensor(Shape{1});
  std::vector<NamedParam> params = {{"k", &kernel}, {"b", &bias}};
  CHECK(l2_penalty(params, 0.5f) == Approx(7.0));
  add_l2_gradient(params, 0.5f);
  CHECK(kernel.grad[1] == Approx(-2.0f));
  CHECK(bias.grad[0] == 0.0f);
}

TEST_CASE("distillation loss is zero when the student matches the teacher and its gradient is exact", "[loss]") {
  Tensor z(Shape{3, 4});
  test::fill_uniform(z, 5, -3.0f, 3.0f);
  const float temperature = 2.5f;
  Tensor teacher, g;
  softmax(z, teacher, temperature);
  CHECK(distillation_loss(z, teacher, temperature, g) == Approx(0.0).margin(1e-6));
  for (int64_t i = 0; i < g.size(); ++i) CHECK(g[i] == Approx(0.0f).margin(1e-6));

  // Another teacher: finite differences of T^2 * KL(p || softmax(z / T)).
  Tensor other(Shape{3, 4});
  test::fill_uniform(other, 6, -2.0f, 2.0f);
  softmax(other, teacher, 1.0f);
  distillation_loss(z, teacher, temperature, g);
  const auto loss_at = [&](const Tensor& at) {
    Tensor unused;
    return distillation_loss(at, teacher, temperature, unused);
  };
  CHECK(loss_at(z) > 0.01);
  for (int64_t i = 0; i < z.size(); ++i) {
    const float saved = z[i];
    z[i] = saved + 1e-2f;
    const double plus = loss_at(z);
    z[i] = saved - 1e-2f;
    const double minus = loss_at(z);
    z[i] = saved;
    CHECK(g[i] == Approx((plus - minus) / 2e-2).margin(1e-4));
  }
}

TEST_CASE("distillation loss rejects mismatched shapes and a temperature that is not positive", "[loss]") {
  Tensor z(Shape{2, 4}), p(Shape{2, 3}), g;
  CHECK_THROWS_AS(distillation_loss(z, p, 1.0f, g), ShapeError);
  Tensor q(Shape{2, 4});
  CHECK_THROWS_AS(distillation_loss(z, q, 0.0f, g), ArgumentError);
}
