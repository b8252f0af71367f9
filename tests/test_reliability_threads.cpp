// Thread safety of inference: several std::threads predicting on one loaded classifier at once,
// or the iterations of the caller's own OpenMP loop, get exactly what sequential calls get. Model::infer promises this (it is const; scratch buffers
// are per thread); the check is by repetition, since ThreadSanitizer reports false races inside
// GCC's OpenMP runtime (libgomp is not built with it).
#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include <omp.h>

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

// A classifier with random weights, batches of several sizes and its sequential predictions.
struct Workload {
  Classifier classifier{custom_cnn({4, 11}), meta()};
  std::vector<Tensor> inputs, expected;
  Workload() {
    Rng rng(5);
    for (int n : {1, 3, 7, 16}) inputs.push_back(random_faces(n, rng));
    for (const Tensor& x : inputs) expected.push_back(classifier.predict(x));
  }
  static ModelMeta meta() {
    ModelMeta m;
    m.classes = {"angry", "happy", "neutral", "sad"};
    return m;
  }
};

}  // namespace

TEST_CASE("several threads predicting on one classifier get the sequential results, bit for bit",
          "[reliability][threads]") {
  const Workload work;
  const Classifier& classifier = work.classifier;
  const std::vector<Tensor>&inputs = work.inputs, &expected = work.expected;

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

// The kernels' parallel regions then run inside the caller's: the runtime gives them a team of one
// thread while omp_get_max_threads() still says more, so each kernel must split its work by the
// team it has. (Before that fix, parts of the packed weights were never written.)
TEST_CASE("predicting from inside the caller's own OpenMP loop gets the sequential results, bit for bit",
          "[reliability][threads]") {
  const Workload work;
  const int saved = omp_get_max_threads();
  omp_set_num_threads(2);
  std::vector<Tensor> got(work.inputs.size());
  int failures = 0;
#pragma omp parallel for num_threads(2) schedule(static, 1) reduction(+ : failures)
  for (size_t i = 0; i < work.inputs.size(); ++i) {
    try {
      got[i] = work.classifier.predict(work.inputs[i]);
    } catch (...) {
      ++failures;
    }
  }
  omp_set_num_threads(saved);
  CHECK(failures == 0);
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("batch of " << work.inputs[i].shape()[0]);
    CHECK(same_bits(got[i], work.expected[i]));
  }
}
