// Micro-benchmarks of every convolution of custom_cnn at batch 64: forward, backward-data and
// backward-weights, at 1 and 2 threads, in GFLOP/s and as a percentage of the measured FMA peak.
//   build/benchmarks/bench_conv --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <omp.h>

#include <map>
#include <vector>

#include "kernels/conv2d.hpp"
#include "kernels/depthwise.hpp"
#include "peak.hpp"

namespace {

using fermap::kernels::ConvGeometry;

enum class Op { conv, depthwise };
enum class Dir { forward, forward_direct, backward_data, backward_weights };

struct Shape {
  const char* name;
  Op op;
  int h, cin, cout, k;
};

// The convolutions of custom_cnn (48x48x1 input), in order.
const Shape kShapes[] = {
    {"conv1_48x48_1to32", Op::conv, 48, 1, 32, 3},
    {"conv2_48x48_32to64", Op::conv, 48, 32, 64, 3},
    {"conv3_24x24_64to96", Op::conv, 24, 64, 96, 3},
    {"conv4_24x24_96to96", Op::conv, 24, 96, 96, 3},
    {"sep1_dw_12x12_96", Op::depthwise, 12, 96, 96, 3},
    {"sep1_pw_12x12_96to128", Op::conv, 12, 96, 128, 1},
    {"sep2_dw_12x12_128", Op::depthwise, 12, 128, 128, 3},
    {"sep2_pw_12x12_128to128", Op::conv, 12, 128, 128, 1},
};
constexpr int kBatch = 64;

double peak_gflops(int threads) {
  static std::map<int, double> cache;
  auto it = cache.find(threads);
  if (it == cache.end()) it = cache.emplace(threads, fermap::bench::measure_fma_peak(threads)).first;
  return it->second;
}

ConvGeometry geometry(const Shape& s) {
  ConvGeometry g;
  g.n = kBatch, g.h = s.h, g.w = s.h, g.cin = s.cin;
  g.kh = g.kw = s.k, g.cout = s.cout, g.stride = 1;
  g.pad_top = g.pad_left = s.k / 2;
  g.oh = g.ow = s.h;
  return g;
}

void fill(std::vector<float>& v, unsigned seed) {
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>((i * 2654435761u + seed) % 1000) / 1000.0f - 0.5f;
}

void run(benchmark::State& state, const Shape& s, Dir dir) {
  const int threads = static_cast<int>(state.range(0));
  omp_set_num_threads(threads);
  const double peak = peak_gflops(threads);
  const ConvGeometry g = geometry(s);
  const bool dw = s.op == Op::depthwise;
  std::vector<float> x(static_cast<size_t>(g.n) * g.h * g.w * g.cin);
  std::vector<float> y(static_cast<size_t>(g.out_pixels()) * g.cout);
  std::vector<float> w(static_cast<size_t>(g.kh) * g.kw * g.cin * (dw ? 1 : g.cout));
  std::vector<float> b(static_cast<size_t>(g.cout), 0.01f);
  fill(x, 1), fill(y, 2), fill(w, 3);
  for (auto _ : state) {
    if (dw) {
      if (dir == Dir::forward) fermap::kernels::depthwise_forward(g, x.data(), w.data(), y.data());
      if (dir == Dir::backward_data) fermap::kernels::depthwise_backward_data(g, y.data(), w.data(), x.data());
      if (dir == Dir::backward_weights) fermap::kernels::depthwise_backward_weights(g, x.data(), y.data(), w.data());
    } else {
      if (dir == Dir::forward) fermap::kernels::conv2d_forward(g, x.data(), w.data(), b.data(), true, y.data());
      if (dir == Dir::forward_direct)
        fermap::kernels::conv2d_forward_direct(g, x.data(), w.data(), b.data(), true, y.data());
      if (dir == Dir::backward_data) fermap::kernels::conv2d_backward_data(g, y.data(), w.data(), x.data());
      if (dir == Dir::backward_weights)
        fermap::kernels::conv2d_backward_weights(g, x.data(), y.data(), w.data(), b.data());
    }
    benchmark::ClobberMemory();
  }
  const double flops = dw ? 2.0 * g.out_pixels() * g.kh * g.kw * g.cin : g.forward_flops();
  state.counters["GFLOPS"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["peak%"] =
      benchmark::Counter(flops * 1e-9 / peak * 100.0, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["peak_GFLOPS"] = peak;
}

void fma_peak(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  for (auto _ : state) state.counters["GFLOPS"] = fermap::bench::measure_fma_peak(threads, 0.1, 3);
}

const char* dir_name(Dir d) {
  return d == Dir::forward ? "fwd" : d == Dir::forward_direct ? "fwd_direct" : d == Dir::backward_data ? "bwd_data" : "bwd_weights";
}

int register_all() {
  benchmark::RegisterBenchmark("fma_peak", fma_peak)->Arg(1)->Arg(2)->Iterations(1)->UseRealTime();
  for (const Shape& s : kShapes)
    for (Dir d : {Dir::forward, Dir::forward_direct, Dir::backward_data, Dir::backward_weights}) {
      if (d == Dir::forward_direct && (s.op != Op::conv || s.k != 3)) continue;  // the Winograd choice's baseline
      const std::string name = std::string(s.name) + "/" + dir_name(d);
      benchmark::RegisterBenchmark(name.c_str(), [&s, d](benchmark::State& st) { run(st, s, d); })
          ->Arg(1)
          ->Arg(2)
          ->ArgName("threads")
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }
  return 0;
}
const int registered = register_all();

}  // namespace

BENCHMARK_MAIN();
