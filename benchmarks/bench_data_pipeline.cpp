// Data-module benchmarks: loading FER2013 (FERMAP_DATA), CSV parsing, augmentation, make_batch.
// The load benchmarks read the FER2013 image folder from FERMAP_DATA and are skipped without it.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "fermap/data/batch.hpp"
#include "fermap/data/fer2013.hpp"

using namespace fermap;

namespace {

const char* data_root() { return std::getenv("FERMAP_DATA"); }

// Whole image-folder split, the paper's 4 classes (train 21,005 + test 5,212 = 26,217 images).
void BM_load_folder_paper_train_test(benchmark::State& state) {
  if (!data_root()) {
    state.SkipWithError("FERMAP_DATA is not set");
    return;
  }
  size_t images = 0;
  for (auto _ : state) {
    const Dataset train = load_image_folder(data_root(), "train", LoadOptions{});
    const Dataset test = load_image_folder(data_root(), "test", LoadOptions{});
    images += train.size() + test.size();
    benchmark::DoNotOptimize(train.pixels.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(images));
}
BENCHMARK(BM_load_folder_paper_train_test)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

// A synthetic fer2013.csv of 2,000 rows (about 17 MB).
void BM_load_csv_2000_rows(benchmark::State& state) {
  const std::string path = (std::filesystem::temp_directory_path() / "fermap_bench_fer2013.csv").string();
  {
    std::ofstream out(path, std::ios::binary);
    out << "emotion,pixels,Usage\n";
    for (int r = 0; r < 2000; ++r) {
      out << r % 7 << ",";
      for (int p = 0; p < 2304; ++p) out << (p ? " " : "") << (r * 31 + p * 7) % 256;
      out << ",Training\n";
    }
  }
  LoadOptions options;
  options.classes = all_classes();
  size_t rows = 0;
  for (auto _ : state) rows += load_fer2013_csv(path, "train", options).size();
  state.SetItemsProcessed(static_cast<int64_t>(rows));
  std::filesystem::remove(path);
}
BENCHMARK(BM_load_csv_2000_rows)->Unit(benchmark::kMillisecond)->UseRealTime();

std::vector<uint8_t> face() {
  std::vector<uint8_t> img(48 * 48);
  for (size_t i = 0; i < img.size(); ++i) img[i] = static_cast<uint8_t>((i * 7 + i / 48 * 3) % 256);
  return img;
}

void BM_augment_image(benchmark::State& state) {
  const auto src = face();
  std::vector<float> dst(src.size());
  uint64_t stream = 0;
  for (auto _ : state) {
    augment_image(src.data(), 48, 48, draw_augmentation(AugmentOptions{}, 1, stream++), dst.data());
    benchmark::DoNotOptimize(dst.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_augment_image);

// One batch of 64 from a synthetic 4-class dataset, every item augmented; arg = channels.
void BM_make_batch_64_augmented(benchmark::State& state) {
  Dataset d;
  d.class_names = paper_classes();
  const auto img = face();
  for (int i = 0; i < 1024; ++i) {
    d.labels.push_back(i % 4);
    d.pixels.insert(d.pixels.end(), img.begin(), img.end());
    d.sources.push_back("synthetic");
  }
  const auto plan = plan_epoch(d, Balance::none, true, 1, 0);
  BatchOptions options;
  options.channels = static_cast<int>(state.range(0));
  Tensor x;
  std::vector<int> labels;
  size_t start = 0;
  for (auto _ : state) {
    make_batch(d, plan.data() + start, 64, options, x, labels);
    start = (start + 64) % (plan.size() - 64);
    benchmark::DoNotOptimize(x.data());
  }
  state.SetItemsProcessed(state.iterations() * 64);
}
BENCHMARK(BM_make_batch_64_augmented)->Arg(1)->Arg(3)->Unit(benchmark::kMicrosecond);

void BM_plan_epoch_paper(benchmark::State& state) {
  Dataset d;
  d.class_names = paper_classes();
  const size_t counts[] = {3995, 7215, 4965, 4830};
  for (int c = 0; c < 4; ++c) d.labels.insert(d.labels.end(), counts[c], c);
  uint64_t epoch = 0;
  for (auto _ : state) benchmark::DoNotOptimize(plan_epoch(d, Balance::paper, false, 1, epoch++).data());
}
BENCHMARK(BM_plan_epoch_paper)->Unit(benchmark::kMillisecond);

}  // namespace
BENCHMARK_MAIN();
