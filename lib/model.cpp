#include "fermap/model.hpp"

#include <cctype>
#include <cstdio>
#include <functional>
#include <map>

#include <nlohmann/json.hpp>

#include "fermap/error.hpp"
#include "kernels/denormals.hpp"
#include "layers/common.hpp"

namespace fermap {

nlohmann::json chain_config(const LayerChain& chain);    // layer_factory.cpp
LayerChain chain_from_config(const nlohmann::json& j);   // layer_factory.cpp

namespace {

// "SeparableConv2D" -> "separable_conv2d", as Keras names layers.
std::string snake_case(const std::string& type) {
  std::string out;
  for (size_t i = 0; i < type.size(); ++i) {
    const char c = type[i];
    if (std::isupper(static_cast<unsigned char>(c)) && i > 0 &&
        std::islower(static_cast<unsigned char>(type[i - 1])))
      out += '_';
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

void walk(Layer* layer, const std::function<void(Layer*, int)>& fn, int depth) {
  fn(layer, depth);
  for (Layer* child : layer->children()) walk(child, fn, depth + 1);
}

}  // namespace

std::string with_commas(int64_t n) {
  const std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out = n < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

namespace {

int64_t own_param_count(Layer* layer, bool trainable_only) {
  int64_t n = 0;
  for (Param* p : layer->params())
    if (!trainable_only || p->trainable) n += p->value.size();
  return n;
}

}  // namespace

Model& Model::add(LayerPtr layer) {
  if (built_) throw Error("layers cannot be added to a model after it is built");
  body_.add(std::move(layer));
  return *this;
}

std::vector<Layer*> Model::all_layers() const {
  std::vector<Layer*> out;
  for (const auto& l : body_.layers()) walk(l.get(), [&](Layer* x, int) { out.push_back(x); }, 0);
  return out;
}

void Model::build(const Shape& input, uint64_t seed) {
  if (built_) throw Error("model is already built");
  if (body_.empty()) throw Error("cannot build a model without layers");
  std::map<std::string, int> counts;
  for (Layer* l : all_layers()) {
    const std::string base = snake_case(l->type());
    const int k = counts[base]++;
    l->set_name(k == 0 ? base : base + "_" + std::to_string(k));
  }
  Rng rng(seed);
  input_shape_ = input;
  output_shape_ = body_.build(input, rng);
  for (Layer* l : all_layers())
    for (Param* p : l->params())
      if (p->trainable) trainable_.push_back(p);
  built_ = true;
}

const Tensor& Model::forward(const Tensor& x) {
  check_input(x, "forward");
  input_ = x;  // kept for backward: the first layer's weight gradient needs it
  const kernels::FlushDenormals flush;
  return body_.forward(input_);
}

void Model::backward(const Tensor& dlogits) {
  if (input_.empty()) throw Error("backward called before forward");
  const kernels::FlushDenormals flush;
  body_.backward(input_, dlogits, nullptr);
}

void Model::check_input(const Tensor& x, const char* pass) const {
  if (!built_) throw Error(std::string("model must be built before ") + pass);
  if (x.shape().rank() == 0 || x.shape().sample() != input_shape_)
    throw ShapeError("model expects inputs " + input_shape_.str() + " per sample, got a batch " + x.shape().str());
}

void Model::infer(const Tensor& x, Tensor& logits) const {
  check_input(x, "inference");
  const kernels::FlushDenormals flush;
  body_.infer(x, logits);
}

void Model::update_statistics(const Tensor& x, Tensor& logits) {
  check_input(x, "updating statistics");
  const kernels::FlushDenormals flush;
  body_.update_statistics(x, logits);
}

std::vector<NamedParam> Model::params() {
  std::vector<NamedParam> out;
  for (Layer* l : all_layers())
    for (Param* p : l->params()) out.push_back({l->name() + "/" + p->name, p});
  return out;
}

void Model::zero_grad() {
  for (Param* p : trainable_) p->grad.zero();  // no allocation: a training step calls this
}

int64_t Model::count_params(bool trainable_only) {
  int64_t n = 0;
  for (Layer* l : all_layers()) n += own_param_count(l, trainable_only);
  return n;
}

std::string Model::summary() {
  if (!built_) throw Error("model must be built before its summary");
  constexpr int kName = 52, kShape = 22;
  std::string out;
  char line[256];
  const std::string rule(kName + kShape + 14, '_');
  const std::string thick(kName + kShape + 14, '=');
  std::snprintf(line, sizeof line, "%-*s%-*s%14s\n", kName, "Layer (type)", kShape, "Output Shape", "Param #");
  out += rule + "\n" + line + thick + "\n";
  for (const auto& top : body_.layers())
    walk(top.get(), [&](Layer* l, int depth) {
      const std::string label = std::string(static_cast<size_t>(2 * depth), ' ') + l->name() + " (" + l->type() + ")";
      std::string shape = "(None, " + l->output_shape().str().substr(1);
      std::snprintf(line, sizeof line, "%-*s%-*s%14s\n", kName, label.c_str(), kShape, shape.c_str(),
                    with_commas(own_param_count(l, false)).c_str());
      out += line;
    }, 0);
  const int64_t total = count_params(false), trainable = count_params(true);
  out += thick + "\n";
  out += "Total params: " + with_commas(total) + "\n";
  out += "Trainable params: " + with_commas(trainable) + "\n";
  out += "Non-trainable params: " + with_commas(total - trainable) + "\n";
  out += rule + "\n";
  return out;
}

nlohmann::json Model::architecture() const {
  std::vector<int> input;
  for (int i = 0; i < input_shape_.rank(); ++i) input.push_back(input_shape_[i]);
  return {{"input", input}, {"layers", chain_config(body_)}};
}

Model Model::from_architecture(const nlohmann::json& arch, uint64_t seed) {
  if (!arch.is_object() || !arch.contains("input") || !arch.contains("layers"))
    throw FormatError("architecture needs \"input\" and \"layers\"");
  if (!arch["input"].is_array()) throw FormatError("architecture \"input\" is not a list of sizes");
  std::vector<int> dims;
  for (const auto& d : arch["input"]) {
    const auto v = detail::json_integer(d, 1, detail::kMaxConfigInt);
    if (!v) throw FormatError("architecture \"input\" is not a list of sizes 1.." + std::to_string(detail::kMaxConfigInt));
    dims.push_back(static_cast<int>(*v));
  }
  if (dims.empty() || dims.size() > 3) throw FormatError("architecture input must have 1 to 3 dimensions");
  Shape input;
  if (dims.size() == 1) input = Shape{dims[0]};
  if (dims.size() == 2) input = Shape{dims[0], dims[1]};
  if (dims.size() == 3) input = Shape{dims[0], dims[1], dims[2]};
  detail::check_sample_shape("the architecture's input", input);
  Model m;
  m.body_ = chain_from_config(arch["layers"]);
  m.build(input, seed);
  return m;
}

}  // namespace fermap
