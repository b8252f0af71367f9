// Thread safety of inference: several std::threads predicting on one loaded classifier at once
// get exactly what sequential calls get. Model::infer promises this (it is const; scratch buffers
// are per thread); the check is by repetition, since ThreadSanitizer reports false races inside
// GCC's OpenMP runtime (libgomp is not built with it).
#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "fermap/classifier.hpp"
#include "fermap/rng.hpp"
#include "fermap/zoo.hpp"

using namespace fermap;

namespace {

Tensor random_faces(int n, Rng& rng) {
  Tensor t(Shape{n, 48, 48, 1});
  for (int64_t i = 0; i < t.size(); ++i) t[i] = static_cast<float>(rng.below(256));
  return t;
}

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), static_cast<size_t>(a.size()) * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("several threads predicting on one classifier get the sequential results, bit for bit",
          "[reliability][threads]") {
  ModelMeta meta;
  meta.classes = {"angry", "happy", "neutral", "sad"};
  const Classifier classifier(custom_cnn({4, 11}), meta);
  Rng rng(5);
  std::vector<Tensor> inputs;
  for (int n : {1, 3, 7, 16}) inputs.push_back(random_faces(n, rng));
  std::vector<Tensor> expected;
  for (const Tensor& x : inputs) expected.push_back(classifier.predict(x));

  constexpr int kThreads = 4, kRounds = 3;
  std::atomic<int> calls{0}, mismatches{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round)
        for (size_t k = 0; k < inputs.size(); ++k) {
          const size_t i = (k + static_cast<size_t>(t)) % inputs.size();  // threads start on different sizes
          try {
            if (!same_bits(classifier.predict(inputs[i]), expected[i])) ++mismatches;
          } catch (...) {
            ++failures;
          }
          ++calls;
        }
    });
  for (auto& th : threads) th.join();
  CHECK(calls == kThreads * kRounds * static_cast<int>(inputs.size()));
  CHECK(failures == 0);
  CHECK(mismatches == 0);
}
