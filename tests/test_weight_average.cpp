// The exponential moving average of the weights (--ema): its formula, that it averages noise away,
// and that swapping it in and out loses nothing.
#include <cmath>
#include <random>

#include <catch2/catch.hpp>

#include "fermap/error.hpp"
#include "train/weight_average.hpp"

using namespace fermap;

namespace {
// Two parameters of different shapes, named like a model's.
struct TwoParams {
  Param kernel{"kernel"}, bias{"bias"};
  TwoParams() {
    kernel.value = Tensor(Shape{2, 3});
    bias.value = Tensor(Shape{3});
  }
  std::vector<NamedParam> named() { return {{"dense/kernel", &kernel}, {"dense/bias", &bias}}; }
  void fill(float v) {
    kernel.value.fill(v);
    bias.value.fill(v);
  }
};
}  // namespace

TEST_CASE("the weight average follows its formula, warm-up included", "[train]") {
  TwoParams p;
  WeightAverage average(0.9f);
  p.fill(0.0f);
  average.prepare(p.named());
  // Step 1: d = min(0.9, 2/11); step 20: d = min(0.9, 21/30) = 0.7; step 1000: d = 0.9.
  p.fill(1.0f);
  average.update(p.named(), 1);
  const float after_one = 1.0f - 2.0f / 11.0f;
  p.fill(2.0f);
  average.update(p.named(), 20);
  const float after_two = 0.7f * after_one + 0.3f * 2.0f;
  p.fill(-1.0f);
  average.update(p.named(), 1000);
  const float after_three = 0.9f * after_two + 0.1f * -1.0f;
  for (auto& [name, t] : average.state_tensors())
    for (int64_t i = 0; i < t->size(); ++i) CHECK((*t)[i] == Approx(after_three).epsilon(1e-6));
}

TEST_CASE("the weight average is nearer the centre of noisy iterates than the last one", "[train]") {
  TwoParams p;
  WeightAverage average(0.99f);
  std::mt19937 rng(7);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  const float centre = 3.0f;
  for (uint64_t step = 1; step <= 3000; ++step) {
    for (Param* q : {&p.kernel, &p.bias})
      for (int64_t i = 0; i < q->value.size(); ++i) q->value[i] = centre + noise(rng);
    average.update(p.named(), step);  // the first call starts the average at the weights
  }
  double last_error = 0, average_error = 0;
  for (auto& [name, t] : average.state_tensors()) {
    const Tensor& last = name == "dense/kernel" ? p.kernel.value : p.bias.value;
    for (int64_t i = 0; i < t->size(); ++i) {
      last_error += std::pow(last[i] - centre, 2);
      average_error += std::pow((*t)[i] - centre, 2);
    }
  }
  // Decay 0.99 averages about 200 iterates: the squared error shrinks about 200-fold.
  INFO("squared error: last iterate " << last_error << ", average " << average_error);
  CHECK(average_error * 20 < last_error);
}

TEST_CASE("swapping the weight average in and out loses nothing and checks the model", "[train]") {
  TwoParams p;
  WeightAverage average(0.5f);
  p.fill(4.0f);
  average.prepare(p.named());
  p.fill(-2.0f);
  average.swap_with(p.named());
  CHECK(p.kernel.value[5] == 4.0f);
  CHECK(p.bias.value[0] == 4.0f);
  CHECK((*average.state_tensors()[0].second)[0] == -2.0f);
  average.swap_with(p.named());
  CHECK(p.kernel.value[5] == -2.0f);
  CHECK((*average.state_tensors()[1].second)[2] == 4.0f);

  TwoParams other;
  other.bias.value = Tensor(Shape{4});
  CHECK_THROWS_WITH(average.swap_with(other.named()), Catch::Contains("another model"));
  CHECK_THROWS_WITH(average.update(other.named(), 1), Catch::Contains("another model"));
  for (float bad : {0.0f, 1.0f, -0.5f, NAN}) CHECK_THROWS_AS(WeightAverage(bad), ArgumentError);
}
