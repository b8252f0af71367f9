// Adam and SGD updates against their formulas; learning-rate schedules.
#include <cmath>

#include <catch2/catch.hpp>

#include "fermap/error.hpp"
#include "fermap/optim.hpp"

using namespace fermap;

namespace {
Param make_param(float w, float g) {
  Param p("w");
  p.value = Tensor(Shape{1}, {w});
  p.grad = Tensor(Shape{1}, {g});
  return p;
}
}  // namespace

TEST_CASE("Adam follows Keras' update for two steps", "[optim]") {
  Param p = make_param(1.0f, 0.5f);
  std::vector<NamedParam> params = {{"w", &p}};
  Adam adam;
  adam.step(params, 0.1f);
  // t=1: m = 0.05, v = 0.00025, lr_t = 0.1*sqrt(0.001)/0.1; w -= lr_t*m/(sqrt(v)+1e-7)
  double m = 0.05, v = 0.00025, lr_t = 0.1 * std::sqrt(1 - 0.999) / (1 - 0.9);
  double w = 1.0 - lr_t * m / (std::sqrt(v) + 1e-7);
  CHECK(p.value[0] == Approx(w).epsilon(1e-6));
  p.grad[0] = -0.25f;
  adam.step(params, 0.1f);
  m = 0.9 * m + 0.1 * -0.25, v = 0.999 * v + 0.001 * 0.0625;
  lr_t = 0.1 * std::sqrt(1 - 0.999 * 0.999) / (1 - 0.81);
  w -= lr_t * m / (std::sqrt(v) + 1e-7);
  CHECK(p.value[0] == Approx(w).epsilon(1e-6));
  CHECK(adam.steps() == 2);
  CHECK(adam.state_tensors().size() == 2);
}

TEST_CASE("AdamW decays the kernels outside the adaptive step, as PyTorch's AdamW", "[optim]") {
  // PyTorch's AdamW: w *= 1 - lr * wd, then the Adam step. Biases (no l2 flag) do not decay.
  const float lr = 0.1f, wd = 0.5f;
  Param kernel = make_param(2.0f, 0.5f);
  kernel.l2 = true;
  Param bias = make_param(2.0f, 0.5f);
  std::vector<NamedParam> params = {{"kernel", &kernel}, {"bias", &bias}};
  auto adamw = make_optimizer("adamw", wd);
  CHECK(adamw->name() == "adamw");
  Adam adam;
  Param reference = make_param(2.0f, 0.5f);
  std::vector<NamedParam> reference_params = {{"w", &reference}};
  double w = 2.0;
  for (int t = 1; t <= 3; ++t) {
    const double before = reference.value[0];
    adam.step(reference_params, lr);
    const double adam_move = reference.value[0] - before;  // the same gradients, so the same move
    adamw->step(params, lr);
    w = w * (1.0 - lr * wd) + adam_move;
    CHECK(kernel.value[0] == Approx(w).epsilon(1e-6));
    CHECK(bias.value[0] == reference.value[0]);
  }
  CHECK(kernel.value[0] < bias.value[0] - 0.2f);
}

TEST_CASE("a weight decay needs adamw, and must be finite and non-negative", "[optim]") {
  CHECK(make_optimizer("adamw")->name() == "adam");  // no decay: plain Adam
  CHECK_THROWS_WITH(make_optimizer("adam", 0.01f), Catch::Contains("needs the adamw optimizer"));
  CHECK_THROWS_AS(make_optimizer("sgd", 0.01f), ArgumentError);
  CHECK_THROWS_AS(make_optimizer("adamw", -1.0f), ArgumentError);
  CHECK_THROWS_AS(make_optimizer("adamw", INFINITY), ArgumentError);
}

TEST_CASE("each optimizer answers to the name make_optimizer made it from", "[optim]") {
  for (const char* name : {"adam", "sgd", "nesterov"}) CHECK(make_optimizer(name)->name() == name);
  CHECK(make_optimizer("adamw", 0.05f)->name() == "adamw");
}

TEST_CASE("SGD with momentum and Nesterov", "[optim]") {
  Param p = make_param(1.0f, 1.0f);
  std::vector<NamedParam> params = {{"w", &p}};
  Sgd sgd;
  sgd.step(params, 0.1f);
  CHECK(p.value[0] == Approx(0.9f));
  sgd.step(params, 0.1f);  // v = 0.9*-0.1 - 0.1 = -0.19
  CHECK(p.value[0] == Approx(0.71f));
  Param q = make_param(1.0f, 1.0f);
  std::vector<NamedParam> qs = {{"w", &q}};
  Sgd nesterov(SgdOptions{0.9f, true});
  nesterov.step(qs, 0.1f);  // v = -0.1; w += 0.9*-0.1 - 0.1
  CHECK(q.value[0] == Approx(0.81f));
}

TEST_CASE("non-trainable parameters are left alone", "[optim]") {
  Param p = make_param(2.0f, 1.0f);
  p.trainable = false;
  p.grad = Tensor();
  std::vector<NamedParam> params = {{"moving_mean", &p}};
  Adam adam;
  adam.step(params, 0.1f);
  CHECK(p.value[0] == 2.0f);
}

TEST_CASE("learning-rate schedules", "[optim]") {
  ScheduleOptions o;
  o.base_lr = 1.0f, o.total_steps = 100;
  CHECK(learning_rate(o, 50) == 1.0f);
  o.kind = ScheduleKind::step, o.step_every = 30, o.step_gamma = 0.5f;
  CHECK(learning_rate(o, 29) == Approx(1.0f));
  CHECK(learning_rate(o, 30) == Approx(0.5f));
  CHECK(learning_rate(o, 95) == Approx(0.125f));
  o.kind = ScheduleKind::cosine, o.final_fraction = 0.0f;
  CHECK(learning_rate(o, 0) == Approx(1.0f));
  CHECK(learning_rate(o, 50) == Approx(0.5f));
  CHECK(learning_rate(o, 100) == Approx(0.0f).margin(1e-6));
  o.kind = ScheduleKind::one_cycle, o.warmup_fraction = 0.3f;
  CHECK(learning_rate(o, 0) == Approx(1.0f / 25));
  CHECK(learning_rate(o, 30) == Approx(1.0f));
  CHECK(learning_rate(o, 20) < 1.0f);
  CHECK(learning_rate(o, 100) == Approx(0.0f).margin(1e-6));
  CHECK(parse_schedule("one-cycle") == ScheduleKind::one_cycle);
  CHECK_THROWS_AS(parse_schedule("warp"), ArgumentError);
  CHECK_THROWS_AS(make_optimizer("adagrad"), ArgumentError);
}
