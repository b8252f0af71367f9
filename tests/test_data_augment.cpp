// Tests for the Keras-style random affine augmentation: determinism, exact known transforms, the
// Keras composition of matrices, and the ranges of the random draws.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <vector>

#include "fermap/data/augment.hpp"

using namespace fermap;

namespace {

constexpr int kH = 48, kW = 48;

// src(r, c) = 4r + c: linear, so bilinear sampling reproduces it exactly inside the image.
std::vector<uint8_t> ramp() {
  std::vector<uint8_t> img(kH * kW);
  for (int r = 0; r < kH; ++r)
    for (int c = 0; c < kW; ++c) img[static_cast<size_t>(r * kW + c)] = static_cast<uint8_t>(4 * r + c);
  return img;
}

// A non-smooth test image (pseudo-random bytes).
std::vector<uint8_t> noise() {
  std::vector<uint8_t> img(kH * kW);
  uint32_t s = 12345;
  for (auto& p : img) p = static_cast<uint8_t>((s = s * 1664525u + 1013904223u) >> 24);
  return img;
}

std::vector<float> warp(const std::vector<uint8_t>& src, const AffineDraw& d) {
  std::vector<float> out(src.size());
  augment_image(src.data(), kH, kW, d, out.data());
  return out;
}

float at(const std::vector<uint8_t>& img, int r, int c) {
  r = std::clamp(r, 0, kH - 1);
  c = std::clamp(c, 0, kW - 1);
  return img[static_cast<size_t>(r * kW + c)];
}

using Mat3 = std::array<std::array<double, 3>, 3>;
Mat3 mul(const Mat3& a, const Mat3& b) {
  Mat3 m{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) m[i][j] += a[i][k] * b[k][j];
  return m;
}

}  // namespace

TEST_CASE("augment: the identity draw reproduces the image exactly", "[data]") {
  const auto src = noise();
  const AffineDraw id;
  CHECK(id.is_identity());
  const auto out = warp(src, id);
  for (size_t i = 0; i < src.size(); ++i) REQUIRE(out[i] == static_cast<float>(src[i]));
  AugmentOptions none{0, 0, 0, 0, false};
  CHECK(draw_augmentation(none, 3, 4).is_identity());
}

TEST_CASE("augment: whole-pixel shifts move pixels exactly, edges repeat (fill nearest)", "[data]") {
  const auto src = noise();
  AffineDraw d;
  d.shift_x = 2;   // content moves left by 2
  d.shift_y = -3;  // content moves down by 3
  const auto out = warp(src, d);
  for (int r = 0; r < kH; ++r)
    for (int c = 0; c < kW; ++c) REQUIRE(out[static_cast<size_t>(r * kW + c)] == at(src, r - 3, c + 2));
}

TEST_CASE("augment: the horizontal flip mirrors columns exactly", "[data]") {
  const auto src = noise();
  AffineDraw d;
  d.flip = true;
  const auto out = warp(src, d);
  for (int r = 0; r < kH; ++r)
    for (int c = 0; c < kW; ++c) REQUIRE(out[static_cast<size_t>(r * kW + c)] == at(src, r, kW - 1 - c));
}

TEST_CASE("augment: 90 degrees turns about Keras' centre (h/2 + 0.5)", "[data]") {
  const auto src = noise();
  AffineDraw d;
  d.angle_deg = 90;
  const auto out = warp(src, d);
  // in = o + R (out - o) with o = 24.5: in_row = 49 - c, in_col = r.
  for (int r = 0; r < kH; ++r)
    for (int c = 0; c < kW; ++c) REQUIRE(out[static_cast<size_t>(r * kW + c)] == at(src, 49 - c, r));
}

TEST_CASE("augment: zoom_y scales rows, bilinear halfway points", "[data]") {
  const auto src = ramp();
  AffineDraw d;
  d.zoom_y = 2;
  const auto out = warp(src, d);
  // in_row = 24.5 + 2 (r - 24.5) = 2r - 24.5, in_col = c; ramp value 4 in_row + in_col.
  CHECK(out[20 * kW + 30] == Approx(4 * 15.5 + 30).margin(1e-4));
  CHECK(out[13 * kW + 5] == Approx(4 * 1.5 + 5).margin(1e-4));
  CHECK(out[3 * kW + 5] == Approx(0 + 5).margin(1e-4));  // clamped to row 0
}

TEST_CASE("augment: a general draw matches Keras' matrix composition", "[data]") {
  const auto src = ramp();
  AffineDraw d;
  d.angle_deg = 7.5f;
  d.shift_x = -2.25f;
  d.shift_y = 3.5f;
  d.zoom_x = 0.93f;
  d.zoom_y = 1.08f;
  const double t = d.angle_deg * std::numbers::pi / 180, o = kH / 2.0 + 0.5;
  // Keras: offset(o) . rotation . shift(tx=rows, ty=cols) . zoom(zx=rows, zy=cols) . reset(-o).
  const Mat3 offset{{{1, 0, o}, {0, 1, o}, {0, 0, 1}}}, reset{{{1, 0, -o}, {0, 1, -o}, {0, 0, 1}}};
  const Mat3 rot{{{std::cos(t), -std::sin(t), 0}, {std::sin(t), std::cos(t), 0}, {0, 0, 1}}};
  const Mat3 shift{{{1, 0, d.shift_y}, {0, 1, d.shift_x}, {0, 0, 1}}};
  const Mat3 zoom{{{d.zoom_y, 0, 0}, {0, d.zoom_x, 0}, {0, 0, 1}}};
  const Mat3 m = mul(mul(mul(mul(offset, rot), shift), zoom), reset);
  const auto out = warp(src, d);
  for (int r = 0; r < kH; r += 3)
    for (int c = 0; c < kW; c += 2) {
      const double ir = std::clamp(m[0][0] * r + m[0][1] * c + m[0][2], 0.0, kH - 1.0);
      const double ic = std::clamp(m[1][0] * r + m[1][1] * c + m[1][2], 0.0, kW - 1.0);
      REQUIRE(out[static_cast<size_t>(r * kW + c)] == Approx(4 * ir + ic).margin(2e-3));
    }
}

TEST_CASE("augment: draws are deterministic per (seed, stream) and differ otherwise", "[data]") {
  const AugmentOptions o;
  const auto src = noise();
  const AffineDraw a = draw_augmentation(o, 1, 10), b = draw_augmentation(o, 1, 10);
  const AffineDraw c = draw_augmentation(o, 1, 11), e = draw_augmentation(o, 2, 10);
  CHECK(warp(src, a) == warp(src, b));
  CHECK(warp(src, a) != warp(src, c));
  CHECK(warp(src, a) != warp(src, e));
  CHECK(a.angle_deg != c.angle_deg);
  CHECK(a.shift_x != e.shift_x);
}

TEST_CASE("augment: draws stay within and fill the paper's ranges", "[data]") {
  const AugmentOptions o;  // rotation 10, shifts 0.1, zoom 0.1, no flip
  constexpr int kDraws = 20000;
  float lo[5] = {1e9f, 1e9f, 1e9f, 1e9f, 1e9f}, hi[5] = {-1e9f, -1e9f, -1e9f, -1e9f, -1e9f};
  double sum[5] = {}, zxzy = 0;
  int flips = 0;
  for (int i = 0; i < kDraws; ++i) {
    const AffineDraw d = draw_augmentation(o, 99, static_cast<uint64_t>(i));
    const float v[5] = {d.angle_deg, d.shift_x, d.shift_y, d.zoom_x, d.zoom_y};
    for (int k = 0; k < 5; ++k) {
      lo[k] = std::min(lo[k], v[k]);
      hi[k] = std::max(hi[k], v[k]);
      sum[k] += v[k];
    }
    zxzy += (d.zoom_x - 1.0) * (d.zoom_y - 1.0);
    flips += d.flip;
  }
  const float bound[5] = {10, 4.8f, 4.8f, 0.1f, 0.1f}, centre[5] = {0, 0, 0, 1, 1};
  for (int k = 0; k < 5; ++k) {
    INFO("parameter " << k);
    CHECK(lo[k] >= centre[k] - bound[k]);
    CHECK(hi[k] <= centre[k] + bound[k]);
    CHECK(lo[k] < centre[k] - 0.99f * bound[k]);
    CHECK(hi[k] > centre[k] + 0.99f * bound[k]);
    CHECK(sum[k] / kDraws == Approx(centre[k]).margin(0.02 * bound[k]));
  }
  // zoom_x and zoom_y are independent: their covariance is near 0 (variance alone is 0.01/3).
  CHECK(std::abs(zxzy / kDraws) < 0.05 * (0.01 / 3));
  CHECK(flips == 0);

  AugmentOptions flip = o;
  flip.horizontal_flip = true;
  int n = 0;
  for (int i = 0; i < kDraws; ++i) n += draw_augmentation(flip, 5, static_cast<uint64_t>(i)).flip;
  CHECK(n == Approx(kDraws / 2).margin(kDraws / 50));
}

TEST_CASE("augment: random erasing draws rectangles of the stated sizes, at the stated rate", "[data]") {
  AugmentOptions o;
  o.erase = 0.5f;
  constexpr int kDraws = 20000;
  int erased = 0;
  double smallest = 1, largest = 0;
  for (int i = 0; i < kDraws; ++i) {
    const AffineDraw d = draw_augmentation(o, 7, static_cast<uint64_t>(i), {kH, kW});
    if (d.erase_height == 0) {
      CHECK(d.erase_width == 0);
      continue;
    }
    ++erased;
    REQUIRE(d.erase_row >= 0);
    REQUIRE(d.erase_col >= 0);
    REQUIRE(d.erase_row + d.erase_height <= kH);
    REQUIRE(d.erase_col + d.erase_width <= kW);
    const double share = static_cast<double>(d.erase_height * d.erase_width) / (kH * kW);
    smallest = std::min(smallest, share);
    largest = std::max(largest, share);
  }
  CHECK(erased == Approx(kDraws / 2).margin(kDraws / 50));
  // 2-25 % of the image, up to the rounding of a side and the clamping of long thin rectangles.
  CHECK(smallest > 0.01);
  CHECK(smallest < 0.03);
  CHECK(largest < 0.30);
  CHECK(largest > 0.20);
  o.erase = 0;
  for (int i = 0; i < 1000; ++i) CHECK(draw_augmentation(o, 7, static_cast<uint64_t>(i), {kH, kW}).erase_height == 0);
}

TEST_CASE("augment: the erased rectangle holds the image's mean, the rest is untouched", "[data]") {
  const std::vector<uint8_t> src = noise();
  AffineDraw d;
  d.erase_row = 5, d.erase_col = 30, d.erase_height = 10, d.erase_width = 12;
  CHECK_FALSE(d.is_identity());
  std::vector<float> out(kH * kW);
  augment_image(src.data(), kH, kW, d, out.data());
  double sum = 0;
  for (uint8_t v : src) sum += v;
  const float mean = static_cast<float>(sum / (kH * kW));
  int inside = 0;
  for (int r = 0; r < kH; ++r)
    for (int c = 0; c < kW; ++c) {
      const size_t p = static_cast<size_t>(r * kW + c);
      const bool in = r >= 5 && r < 15 && c >= 30 && c < 42;
      inside += in;
      if (in)
        REQUIRE(out[p] == Approx(mean).epsilon(1e-6));
      else
        REQUIRE(out[p] == static_cast<float>(src[p]));
    }
  CHECK(inside == 120);
}
