// Tests for subset and the stratified train/validation split.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "fermap/data/dataset.hpp"
#include "fermap/error.hpp"
#include "synthetic_dataset.hpp"

using namespace fermap;

namespace {

using test::in_memory_dataset;

std::set<std::string> source_set(const Dataset& d) { return {d.sources.begin(), d.sources.end()}; }

}  // namespace

TEST_CASE("subset copies images, labels and sources in the given order", "[data]") {
  const Dataset d = in_memory_dataset({2, 3});
  const Dataset s = subset(d, {4, 0, 4});
  s.check();
  CHECK(s.size() == 3);
  CHECK(s.labels == std::vector<int>{1, 0, 1});
  CHECK(s.sources == std::vector<std::string>{"img4", "img0", "img4"});
  CHECK(s.image(0)[100] == test::synthetic_pixel(4, 100));
  CHECK(s.image(1)[100] == test::synthetic_pixel(0, 100));
  CHECK(s.class_names == d.class_names);
  CHECK_THROWS_AS(subset(d, {5}), ArgumentError);
}

TEST_CASE("split_stratified: stratified, disjoint, complete", "[data]") {
  const Dataset d = in_memory_dataset({400, 721, 497, 483});
  const TrainValSplit s = split_stratified(d, 0.1, 42);
  s.train.check();
  s.val.check();
  CHECK(s.val.class_counts() == std::vector<size_t>{40, 72, 50, 48});
  CHECK(s.train.class_counts() == std::vector<size_t>{360, 649, 447, 435});
  const auto train = source_set(s.train), val = source_set(s.val);
  CHECK(train.size() == s.train.size());
  for (const auto& v : val) CHECK(train.count(v) == 0);
  CHECK(train.size() + val.size() == d.size());
  // Images keep their labels and pixels, and the original relative order.
  for (size_t i = 0; i < s.val.size(); ++i) {
    const size_t orig = std::stoul(s.val.sources[i].substr(3));
    CHECK(s.val.labels[i] == d.labels[orig]);
    CHECK(s.val.image(i)[7] == test::synthetic_pixel(orig, 7));
    if (i > 0) CHECK(std::stoul(s.val.sources[i - 1].substr(3)) < orig);
  }
}

TEST_CASE("split_stratified: fixed by the seed, different across seeds", "[data]") {
  const Dataset d = in_memory_dataset({50, 80, 30});
  const TrainValSplit a = split_stratified(d, 0.2, 7), b = split_stratified(d, 0.2, 7);
  const TrainValSplit c = split_stratified(d, 0.2, 8);
  CHECK(a.val.sources == b.val.sources);
  CHECK(a.train.sources == b.train.sources);
  CHECK(a.val.sources != c.val.sources);
  CHECK(a.val.class_counts() == c.val.class_counts());
}

TEST_CASE("split_stratified: edge fractions", "[data]") {
  const Dataset d = in_memory_dataset({3, 1});
  const TrainValSplit none = split_stratified(d, 0.0, 1);
  CHECK(none.val.size() == 0);
  CHECK(none.train.size() == 4);
  CHECK_THROWS_AS(split_stratified(d, 1.0, 1), ArgumentError);
  CHECK_THROWS_AS(split_stratified(d, -0.1, 1), ArgumentError);
}
