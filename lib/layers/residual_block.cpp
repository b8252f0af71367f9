#include "fermap/layers/residual_block.hpp"

#include <algorithm>

#include "kernels/parallel.hpp"
#include "layers/common.hpp"

namespace fermap {

nlohmann::json chain_config(const LayerChain& chain);    // defined in layer_factory.cpp
LayerChain chain_from_config(const nlohmann::json& j);   // defined in layer_factory.cpp

ResidualBlock::ResidualBlock(LayerChain main, LayerChain shortcut)
    : main_(std::move(main)), shortcut_(std::move(shortcut)) {
  if (main_.empty()) throw ArgumentError("ResidualBlock needs a main path");
}

nlohmann::json ResidualBlock::config() const {
  return {{"main", chain_config(main_)}, {"shortcut", chain_config(shortcut_)}};
}

Shape ResidualBlock::build(const Shape& input, Rng& rng) {
  const Shape a = main_.build(input, rng);
  const Shape b = shortcut_.build(input, rng);
  if (a != b)
    throw ShapeError("ResidualBlock '" + name() + "': main path gives " + a.str() +
                     " but the shortcut gives " + b.str());
  return a;
}

namespace {
void add_relu(const Tensor& a, const Tensor& b, Tensor& y) {
  y.resize(a.shape());
  const int64_t n = a.size();
  const float *pa = a.data(), *pb = b.data();
  float* py = y.data();
#pragma omp parallel for simd schedule(static) if (n >= fermap::kernels::kParallelMinElements)
  for (int64_t i = 0; i < n; ++i) py[i] = std::max(pa[i] + pb[i], 0.0f);
}

// y = relu(main(x) + shortcut(x)) with `pass` (a chain's infer or update_statistics) run through
// each path; an empty shortcut is the identity.
template <class Chain, class Pass>
void through_both_paths(Chain& main, Chain& shortcut, const Tensor& x, Tensor& y, Pass pass) {
  detail::ScratchTensors scratch(2);
  pass(main, x, scratch[0]);
  if (!shortcut.empty()) pass(shortcut, x, scratch[1]);
  add_relu(scratch[0], shortcut.empty() ? x : scratch[1], y);
}
}  // namespace

void ResidualBlock::infer(const Tensor& x, Tensor& y) const {
  detail::require_batch(*this, x);
  through_both_paths(main_, shortcut_, x, y, [](const LayerChain& c, const Tensor& in, Tensor& out) { c.infer(in, out); });
}

void ResidualBlock::update_statistics(const Tensor& x, Tensor& y) {
  detail::require_batch(*this, x);
  through_both_paths(main_, shortcut_, x, y, [](LayerChain& c, const Tensor& in, Tensor& out) { c.update_statistics(in, out); });
}

void ResidualBlock::forward(const Tensor& x, Tensor& y) {
  detail::require_batch(*this, x);
  const Tensor& a = main_.forward(x);
  const Tensor& b = shortcut_.forward(x);
  add_relu(a, b, y);
}

void ResidualBlock::backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) {
  const Tensor& dsum = detail::activation_backward(Activation::relu, y, dy, dsum_);
  main_.backward(x, dsum, dx);
  if (!dx) {
    shortcut_.backward(x, dsum, nullptr);
    return;
  }
  shortcut_.backward(x, dsum, &dx_shortcut_);
  float* out = dx->data();
  const float* add = dx_shortcut_.data();
  const int64_t n = dx->size();
#pragma omp parallel for simd schedule(static) if (n >= fermap::kernels::kParallelMinElements)
  for (int64_t i = 0; i < n; ++i) out[i] += add[i];
}

std::vector<Layer*> ResidualBlock::children() {
  std::vector<Layer*> out;
  for (auto& l : main_.layers()) out.push_back(l.get());
  for (auto& l : shortcut_.layers()) out.push_back(l.get());
  return out;
}

}  // namespace fermap
