// Whole-model throughput of custom_cnn: one training step (forward + loss + backward + Adam) at
// batch 64, inference at batch 64 and batch 1, at 1 and 2 threads; and the memory of training.
//   build/benchmarks/bench_model                      Google Benchmark tables
//   build/benchmarks/bench_model --json train 2       one measurement as JSON (compare_torch.py)
//        modes: train | infer64 | infer1; optional third argument: seconds to measure (default 4)
//   build/benchmarks/bench_model --memory             peak RSS, RSS after steps 2 and 50, and
//                                                     heap allocations per step after warm-up
#include <benchmark/benchmark.h>

#include <sys/resource.h>
#include <unistd.h>

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>
#include <string>
#include <vector>

#include "fermap/loss.hpp"
#include "fermap/optim.hpp"
#include "fermap/zoo.hpp"

// Counts every operator new, to show that a training step allocates nothing once warmed up.
// (The replacement pair is malloc/free underneath; GCC cannot see that they match.)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
std::atomic<int64_t> g_allocations{0};
}
void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

using fermap::Tensor;

constexpr int kTrainBatch = 64;

Tensor random_images(int n, uint64_t seed) {
  Tensor x({n, 48, 48, 1});
  fermap::Rng rng(seed);
  for (int64_t i = 0; i < x.size(); ++i) x[i] = rng.uniform();
  return x;
}

// One training step of custom_cnn as the trainer runs it.
struct TrainStep {
  fermap::Model model = fermap::custom_cnn();
  fermap::Adam adam;
  std::vector<fermap::NamedParam> params = model.params();
  Tensor x = random_images(kTrainBatch, 1), dlogits;
  std::vector<int> labels;
  fermap::CrossEntropyOptions loss_options;

  TrainStep() {
    for (int i = 0; i < kTrainBatch; ++i) labels.push_back(i % 4);
  }
  double run() {
    model.zero_grad();
    const Tensor& logits = model.forward(x);
    const double loss = fermap::softmax_cross_entropy(logits, labels, loss_options, dlogits);
    model.backward(dlogits);
    adam.step(params, 1e-4f);
    return loss;
  }
};

struct Infer {
  fermap::Model model = fermap::custom_cnn();
  Tensor x, logits;
  explicit Infer(int batch) : x(random_images(batch, 2)) {}
  void run() { model.infer(x, logits); }
};

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// CPU seconds used by the whole process (all threads), to tell time lost to other processes.
double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

struct Timing {
  double seconds = 0;      // median wall time of one call
  double cpu_seconds = 0;  // median process CPU time of one call
};

// Times fn() after `warmup` calls until `seconds` have passed (at least 5 calls).
template <class Fn>
Timing time_median(Fn&& fn, int warmup, double seconds) {
  for (int i = 0; i < warmup; ++i) fn();
  std::vector<double> times, cpu;
  const double start = now();
  while (times.size() < 5 || now() - start < seconds) {
    const double t0 = now(), c0 = cpu_now();
    fn();
    times.push_back(now() - t0);
    cpu.push_back(cpu_now() - c0);
  }
  return {median(times), median(cpu)};
}

int json_mode(const std::string& mode, int threads, double seconds) {
  omp_set_num_threads(threads);
  Timing t;
  int batch = 0;
  if (mode == "train") {
    TrainStep s;
    batch = kTrainBatch;
    t = time_median([&] { s.run(); }, 2, seconds);
  } else if (mode == "infer64" || mode == "infer1") {
    batch = mode == "infer64" ? 64 : 1;
    Infer s(batch);
    t = time_median([&] { s.run(); }, batch == 1 ? 20 : 3, seconds);
  } else {
    std::fprintf(stderr, "unknown mode %s (train, infer64, infer1)\n", mode.c_str());
    return 1;
  }
  std::printf("{\"impl\": \"fermap\", \"mode\": \"%s\", \"threads\": %d, \"batch\": %d, "
              "\"ms\": %.4f, \"images_per_s\": %.3f, \"cpu_ms\": %.4f}\n",
              mode.c_str(), threads, batch, t.seconds * 1e3, batch / t.seconds, t.cpu_seconds * 1e3);
  return 0;
}

double rss_mib() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

int memory_mode() {
  TrainStep s;
  double after2 = 0;
  int64_t allocations_before = 0;
  for (int step = 1; step <= 50; ++step) {
    if (step == 3) allocations_before = g_allocations.load();
    s.run();
    if (step == 2) after2 = rss_mib();
  }
  const int64_t allocations = g_allocations.load() - allocations_before;
  const double after50 = rss_mib();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("threads %d: peak RSS %.1f MiB; RSS after step 2 %.1f MiB, after step 50 %.1f MiB "
              "(growth %.2f MiB); operator new calls in steps 3-50: %lld\n",
              omp_get_max_threads(), static_cast<double>(usage.ru_maxrss) / 1024.0, after2, after50,
              after50 - after2, static_cast<long long>(allocations));
  return 0;
}

void BM_train_step(benchmark::State& state) {
  omp_set_num_threads(static_cast<int>(state.range(0)));
  TrainStep s;
  s.run();
  for (auto _ : state) benchmark::DoNotOptimize(s.run());
  state.counters["images/s"] = benchmark::Counter(kTrainBatch, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_train_step)->Arg(1)->Arg(2)->ArgName("threads")->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_infer(benchmark::State& state) {
  omp_set_num_threads(static_cast<int>(state.range(0)));
  const int batch = static_cast<int>(state.range(1));
  Infer s(batch);
  s.run();
  for (auto _ : state) s.run();
  state.counters["images/s"] = benchmark::Counter(batch, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_infer)
    ->Args({1, 64})
    ->Args({2, 64})
    ->Args({1, 1})
    ->Args({2, 1})
    ->ArgNames({"threads", "batch"})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 4 && std::strcmp(argv[1], "--json") == 0)
    return json_mode(argv[2], std::atoi(argv[3]), argc >= 5 ? std::atof(argv[4]) : 4.0);
  if (argc >= 2 && std::strcmp(argv[1], "--memory") == 0) return memory_mode();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
