// mixup (--mixup): its draws follow Beta(alpha, alpha), the images and the loss are blended as the
// formula says, and the blended loss's gradient is exact.
#include <algorithm>
#include <numeric>

#include <catch2/catch.hpp>

#include "fermap/error.hpp"
#include "gradcheck.hpp"
#include "train/mixup.hpp"

using namespace fermap;

TEST_CASE("a mixup draw is reproducible, keeps lambda in [0.5, 1] and pairs by a permutation", "[train]") {
  const Mixup a = draw_mixup(0.4f, 64, 7, 123), again = draw_mixup(0.4f, 64, 7, 123), next = draw_mixup(0.4f, 64, 7, 124);
  CHECK(a.lambda == again.lambda);
  CHECK(a.partner == again.partner);
  CHECK((a.lambda != next.lambda || a.partner != next.partner));
  std::vector<uint32_t> sorted = a.partner, identity(64);
  std::sort(sorted.begin(), sorted.end());
  std::iota(identity.begin(), identity.end(), 0u);
  CHECK(sorted == identity);
  CHECK(a.partner != identity);
  for (uint64_t stream = 0; stream < 2000; ++stream) {
    const float lambda = draw_mixup(0.2f, 4, 1, stream).lambda;
    REQUIRE(lambda >= 0.5f);
    REQUIRE(lambda <= 1.0f);
  }
  CHECK_THROWS_AS(draw_mixup(0.0f, 4, 1, 0), ArgumentError);
}

TEST_CASE("mixup's lambda has the spread of Beta(alpha, alpha)", "[train]") {
  // Folding at 1/2 keeps (lambda - 1/2)^2, whose mean is the variance of Beta(a, a): 1 / (4 (2a + 1)).
  for (const float alpha : {0.2f, 1.0f, 4.0f}) {
    const int draws = 20000;
    double sum = 0, squares = 0;
    for (int s = 0; s < draws; ++s) {
      const double lambda = draw_mixup(alpha, 2, 3, static_cast<uint64_t>(s)).lambda;
      sum += lambda;
      squares += (lambda - 0.5) * (lambda - 0.5);
    }
    const double expected = 1.0 / (4.0 * (2.0 * alpha + 1.0));
    INFO("alpha " << alpha << ": mean of (lambda - 1/2)^2 " << squares / draws << ", expected " << expected);
    CHECK(squares / draws == Approx(expected).epsilon(0.04));
    if (alpha == 1.0f) CHECK(sum / draws == Approx(0.75).epsilon(0.01));  // uniform on [0.5, 1]
  }
}

TEST_CASE("mix_images blends each image with its partner as it was", "[train]") {
  Tensor x(Shape{3, 2, 2, 1});
  test::fill_uniform(x, 4);
  const Tensor before = x;
  Mixup mix;
  mix.lambda = 0.7f;
  mix.partner = {2, 0, 1};
  mix_images(x, mix);
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 4; ++k)
      CHECK(x[i * 4 + k] == Approx(0.7f * before[i * 4 + k] + 0.3f * before[mix.partner[i] * 4 + k]));
  mix.partner = {0, 1};
  CHECK_THROWS_AS(mix_images(x, mix), ShapeError);
}

TEST_CASE("the mixup loss blends the two labels' losses and its gradient is exact", "[train]") {
  Tensor z(Shape{4, 3});
  test::fill_uniform(z, 9, -2.0f, 2.0f);
  const std::vector<int> labels = {0, 2, 1, 2};
  Mixup mix;
  mix.lambda = 0.8f;
  mix.partner = {1, 0, 3, 2};
  CrossEntropyOptions options;
  options.label_smoothing = 0.1f;
  Tensor g, unused;
  const double loss = mixup_cross_entropy(z, labels, mix, options, g);
  const std::vector<int> partner_labels = {2, 0, 2, 1};
  CHECK(loss == Approx(0.8 * softmax_cross_entropy(z, labels, options, unused) +
                       0.2 * softmax_cross_entropy(z, partner_labels, options, unused)));
  for (int64_t i = 0; i < z.size(); ++i) {
    const float saved = z[i];
    z[i] = saved + 1e-2f;
    const double plus = mixup_cross_entropy(z, labels, mix, options, unused);
    z[i] = saved - 1e-2f;
    const double minus = mixup_cross_entropy(z, labels, mix, options, unused);
    z[i] = saved;
    CHECK(g[i] == Approx((plus - minus) / 2e-2).margin(1e-4));
  }
  CHECK_THROWS_AS(mixup_cross_entropy(z, {0, 1}, mix, options, g), ShapeError);
}
