// Tensor and Shape basics: alignment, reuse of capacity, shape errors.
#include <cstdint>

#include <catch2/catch.hpp>

#include "fermap/error.hpp"
#include "fermap/tensor.hpp"

using namespace fermap;

TEST_CASE("tensors are zeroed, 64-byte aligned and deep-copied", "[tensor]") {
  Tensor t(Shape{2, 3, 5, 7});
  CHECK(t.size() == 210);
  CHECK(reinterpret_cast<uintptr_t>(t.data()) % 64 == 0);
  for (int64_t i = 0; i < t.size(); ++i) REQUIRE(t[i] == 0.0f);
  t[5] = 3.0f;
  Tensor copy = t;
  copy[5] = 4.0f;
  CHECK(t[5] == 3.0f);
  CHECK(max_abs_diff(t, copy) == 1.0f);
}

TEST_CASE("resize keeps the buffer when it is large enough", "[tensor]") {
  Tensor t(Shape{64, 48, 48, 1});
  const float* before = t.data();
  t.resize({32, 48, 48, 1});
  CHECK(t.data() == before);
  t.resize({64, 48, 48, 1});
  CHECK(t.data() == before);
}

TEST_CASE("shape helpers and errors", "[tensor]") {
  const Shape s{48, 48, 1};
  CHECK(s.batched(64) == Shape{64, 48, 48, 1});
  CHECK(s.batched(64).sample() == s);
  CHECK(s.str() == "(48, 48, 1)");
  CHECK_THROWS_AS((Shape{1, 2, 3, 4, 5}), ShapeError);
  Tensor t(Shape{2, 3});
  CHECK_THROWS_AS(t.reshape({4}), ShapeError);
  CHECK_THROWS_AS(max_abs_diff(t, Tensor(Shape{3, 2})), ShapeError);
  CHECK_THROWS_AS((Tensor(Shape{2}, {1.0f})), ShapeError);
}
