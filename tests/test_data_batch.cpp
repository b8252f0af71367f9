// Tests for epoch plans (none / paper / sampler balancing), make_batch and class weights.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <numeric>
#include <omp.h>

#include "fermap/data/batch.hpp"
#include "fermap/error.hpp"
#include "synthetic_dataset.hpp"

using namespace fermap;

namespace {

using test::in_memory_dataset;

struct PlanStats {
  std::vector<size_t> per_class, augmented_per_class;
  std::map<uint32_t, size_t> uses;
};

PlanStats stats(const Dataset& d, const std::vector<EpochItem>& plan) {
  PlanStats s;
  s.per_class.assign(d.class_names.size(), 0);
  s.augmented_per_class.assign(d.class_names.size(), 0);
  for (size_t p = 0; p < plan.size(); ++p) {
    REQUIRE(plan[p].position == p);
    REQUIRE(plan[p].index < d.size());
    const auto c = static_cast<size_t>(d.labels[plan[p].index]);
    ++s.per_class[c];
    s.augmented_per_class[c] += plan[p].augment;
    ++s.uses[plan[p].index];
  }
  return s;
}

bool same_plan(const std::vector<EpochItem>& a, const std::vector<EpochItem>& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](const auto& x, const auto& y) {
           return x.index == y.index && x.augment == y.augment && x.position == y.position;
         });
}

}  // namespace

TEST_CASE("plan_epoch none: every image once, shuffled, deterministic", "[data]") {
  const Dataset d = in_memory_dataset({40, 72, 50, 48});
  const auto plan = plan_epoch(d, Balance::none, false, 1, 0);
  const PlanStats s = stats(d, plan);
  CHECK(plan.size() == d.size());
  CHECK(s.uses.size() == d.size());
  CHECK(s.augmented_per_class == std::vector<size_t>{0, 0, 0, 0});
  CHECK(same_plan(plan, plan_epoch(d, Balance::none, false, 1, 0)));
  CHECK_FALSE(same_plan(plan, plan_epoch(d, Balance::none, false, 1, 1)));
  CHECK_FALSE(same_plan(plan, plan_epoch(d, Balance::none, false, 2, 0)));
  bool sorted = true;
  for (size_t p = 0; p < plan.size(); ++p) sorted = sorted && plan[p].index == p;
  CHECK_FALSE(sorted);
  const PlanStats all = stats(d, plan_epoch(d, Balance::none, true, 1, 0));
  CHECK(all.augmented_per_class == std::vector<size_t>{40, 72, 50, 48});
}

TEST_CASE("plan_epoch paper: each class twice the largest, copies augmented", "[data]") {
  const Dataset d = in_memory_dataset({40, 72, 50, 48});
  const auto plan = plan_epoch(d, Balance::paper, false, 3, 5);
  const PlanStats s = stats(d, plan);
  CHECK(plan.size() == 4 * 144);
  CHECK(s.per_class == std::vector<size_t>{144, 144, 144, 144});
  CHECK(s.augmented_per_class == std::vector<size_t>{104, 72, 94, 96});
  // Copies cycle through a class: uses of one image differ by at most one (plus its original).
  for (size_t c = 0; c < 4; ++c) {
    size_t lo = 1000, hi = 0;
    for (const auto& [index, n] : s.uses)
      if (static_cast<size_t>(d.labels[index]) == c) lo = std::min(lo, n), hi = std::max(hi, n);
    CHECK(hi - lo <= 1);
  }
  CHECK(s.uses.size() == d.size());
  const PlanStats all = stats(d, plan_epoch(d, Balance::paper, true, 3, 5));
  CHECK(all.augmented_per_class == std::vector<size_t>{144, 144, 144, 144});
}

TEST_CASE("plan_epoch paper: the paper's own numbers", "[data]") {
  const Dataset d = in_memory_dataset({3995, 7215, 4965, 4830});
  const auto plan = plan_epoch(d, Balance::paper, false, 0, 0);
  CHECK(plan.size() == 57720);
  CHECK(stats(d, plan).per_class == std::vector<size_t>{14430, 14430, 14430, 14430});
}

TEST_CASE("plan_epoch sampler: equal counts per class, epoch size = dataset size", "[data]") {
  const Dataset d = in_memory_dataset({40, 72, 0, 50, 48});  // an empty class gets nothing
  const auto plan = plan_epoch(d, Balance::sampler, false, 4, 2);
  const PlanStats s = stats(d, plan);
  CHECK(plan.size() == d.size());
  CHECK(s.per_class[2] == 0);
  // 210 items over 4 classes: 52 or 53 each.
  for (size_t c : {0, 1, 3, 4}) CHECK((s.per_class[c] == 52 || s.per_class[c] == 53));
  CHECK(s.per_class[0] + s.per_class[1] + s.per_class[3] + s.per_class[4] == 210);
  // The small class repeats (repeats augmented), the large one shows distinct images unaugmented.
  CHECK(s.augmented_per_class[0] == s.per_class[0] - 40);
  CHECK(s.augmented_per_class[1] == 0);
  CHECK(same_plan(plan, plan_epoch(d, Balance::sampler, false, 4, 2)));
  CHECK_FALSE(same_plan(plan, plan_epoch(d, Balance::sampler, false, 4, 3)));
}

TEST_CASE("parse_balance and balance_name round-trip", "[data]") {
  for (Balance b : {Balance::none, Balance::paper, Balance::sampler}) CHECK(parse_balance(balance_name(b)) == b);
  CHECK_THROWS_AS(parse_balance("oversample"), ArgumentError);
}

TEST_CASE("make_batch: shapes, scaling, labels, 3-channel replication", "[data]") {
  const Dataset d = in_memory_dataset({3, 2});
  const std::vector<EpochItem> items = {{4, false, 0}, {0, false, 1}, {2, false, 2}};
  BatchOptions o;
  Tensor x;
  std::vector<int> labels;
  make_batch(d, items.data(), items.size(), o, x, labels);
  CHECK(x.shape() == Shape{3, 48, 48, 1});
  CHECK(labels == std::vector<int>{1, 0, 0});
  for (size_t p = 0; p < 2304; ++p) REQUIRE(x[static_cast<int64_t>(2304 + p)] == d.image(0)[p] * (1.0f / 255));

  o.channels = 3;
  o.scale = 1.0f;
  Tensor x3;
  make_batch(d, items.data(), items.size(), o, x3, labels);
  CHECK(x3.shape() == Shape{3, 48, 48, 3});
  for (size_t p = 0; p < 2304; ++p)
    for (int c = 0; c < 3; ++c) REQUIRE(x3[static_cast<int64_t>(3 * p) + c] == d.image(4)[p]);

  // Reusing a larger tensor keeps its buffer.
  const float* before = x3.data();
  make_batch(d, items.data(), 2, o, x3, labels);
  CHECK(x3.data() == before);
  CHECK(x3.shape() == Shape{2, 48, 48, 3});
  CHECK(labels.size() == 2);

  o.channels = 2;
  CHECK_THROWS_AS(make_batch(d, items.data(), 1, o, x, labels), ArgumentError);
  o.channels = 1;
  const EpochItem bad{5, false, 0};
  CHECK_THROWS_AS(make_batch(d, &bad, 1, o, x, labels), ArgumentError);
}

TEST_CASE("make_batch: augmentation follows (seed, epoch, position), whatever the threads or batching", "[data]") {
  const Dataset d = in_memory_dataset({20, 12});
  const auto plan = plan_epoch(d, Balance::paper, true, 9, 3);
  BatchOptions o;
  o.seed = 9;
  o.epoch = 3;
  Tensor a, b, c;
  std::vector<int> la, lb, lc;
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  make_batch(d, plan.data(), 16, o, a, la);
  omp_set_num_threads(2);
  make_batch(d, plan.data(), 16, o, b, lb);
  make_batch(d, plan.data() + 8, 8, o, c, lc);
  omp_set_num_threads(threads);
  CHECK(max_abs_diff(a, b) == 0.0f);
  for (int64_t i = 0; i < c.size(); ++i) REQUIRE(c[i] == a[8 * 2304 + i]);

  // Item k equals augment_image with the documented draw, times the scale.
  const EpochItem& item = plan[5];
  const AffineDraw draw = draw_augmentation(o.augment, 9, (uint64_t{3} << 32) + item.position);
  std::vector<float> expect(2304);
  augment_image(d.image(item.index), 48, 48, draw, expect.data());
  for (size_t p = 0; p < 2304; ++p) REQUIRE(a[static_cast<int64_t>(5 * 2304 + p)] == expect[p] * o.scale);

  // Another epoch draws other augmentations.
  o.epoch = 4;
  make_batch(d, plan.data(), 16, o, c, lc);
  CHECK(max_abs_diff(a, c) > 0.0f);
}

TEST_CASE("class_weights: inverse frequency, mean 1 over the images (sklearn 'balanced')", "[data]") {
  const Dataset d = in_memory_dataset({10, 40, 0, 20});
  const auto w = class_weights(d);
  REQUIRE(w.size() == 4);
  CHECK(w[2] == 0.0f);
  CHECK(w[0] == Approx(70.0 / (3 * 10)));
  CHECK((10 * w[0] + 40 * w[1] + 20 * w[3]) / 70 == Approx(1.0f));
  CHECK(w[0] / w[1] == Approx(4.0f));
  CHECK(w[0] / w[3] == Approx(2.0f));
  const auto even = class_weights(in_memory_dataset({5, 5}));
  CHECK(even == std::vector<float>{1.0f, 1.0f});
}
