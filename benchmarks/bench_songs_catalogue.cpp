// Benchmarks for the song catalogue: loading a generated 278k-row table in the 278k layout (target:
// under one second) and recommending from it in each mode.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "fermap/rng.hpp"
#include "fermap/songs/catalogue.hpp"
#include "fermap/songs/recommender.hpp"

namespace {

constexpr int kRows = 277938;  // the real table's size

// Writes a table shaped like 278k_labelled_uri.csv (with its two unnamed index columns) once.
const std::string& generated_table() {
  static const std::string path = [] {
    const std::filesystem::path p = std::filesystem::temp_directory_path() / "fermap_bench_278k.csv";
    std::ofstream out(p, std::ios::binary);
    out << ",Unnamed: 0,duration (ms),danceability,energy,loudness,speechiness,acousticness,instrumentalness,"
           "liveness,valence,tempo,spec_rate,labels,uri\n";
    fermap::Rng rng(42);
    static const char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    char line[512];
    for (int i = 0; i < kRows; ++i) {
      char id[23];
      for (int k = 0; k < 22; ++k) id[k] = kAlphabet[rng.below(62)];
      id[22] = '\0';
      const double duration = 60000.0 + 300000.0 * rng.uniform();
      const double speech = 0.3 * rng.uniform();
      std::snprintf(line, sizeof line,
                    "%d,%d,%.1f,%.17g,%.17g,%.3f,%.4g,%.17g,%.6g,%.4g,%.17g,%.3f,%.17g,%d,spotify:track:%s\n", i, i,
                    duration, rng.uniform(), rng.uniform(), -30.0 * rng.uniform(), speech, rng.uniform(),
                    rng.uniform(), rng.uniform(), rng.uniform(), 60.0 + 140.0 * rng.uniform(), speech / duration,
                    static_cast<int>(rng.below(4)), id);
      out << line;
    }
    return p.string();
  }();
  return path;
}

void BM_load_278k_rows(benchmark::State& state) {
  const std::string& path = generated_table();
  for (auto _ : state) {
    const fermap::Catalogue cat = fermap::Catalogue::load(path);
    benchmark::DoNotOptimize(cat.size());
  }
  state.counters["rows"] = kRows;
  state.counters["rows/s"] = benchmark::Counter(kRows, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_load_278k_rows)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_recommend_278k(benchmark::State& state) {
  static const fermap::Catalogue cat = fermap::Catalogue::load(generated_table());
  fermap::RecommendOptions options;
  options.mode = static_cast<fermap::RecommendMode>(state.range(0));
  options.count = 10;
  uint64_t seed = 0;
  for (auto _ : state) {
    options.seed = seed++;
    benchmark::DoNotOptimize(fermap::recommend(cat, "sad", options));
  }
  state.SetLabel(std::string(fermap::mode_name(options.mode)));
}
BENCHMARK(BM_recommend_278k)->DenseRange(0, 2)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
