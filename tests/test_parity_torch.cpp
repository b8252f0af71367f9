// PyTorch parity: every layer's forward output, input gradient and parameter gradients, the
// softmax cross-entropy, the distillation loss, and one full Adam step of custom_cnn, against references that
// tests/parity/torch_reference.py computes with PyTorch (float64, from float32 inputs).
//
// The script runs once per group and process; its cases carry fermap layer configs, so each case
// builds its layers with make_layer and loads its weights by model-wide name ("conv2d_1/kernel").
// Error measure, per compared tensor: rel = max|fermap - torch| / max(max|torch|, 1e-3); each must
// be at most 1e-4. Two places where float32 conditioning, not fermap, sets the limit use a stated
// variant: gradients that are zero by construction (check_gradient) and weights after fermap's own
// Adam step (run_adam_step_case), which is also checked strictly from PyTorch's gradients.
// A missing /usr/bin/python3 or torch fails the test; nothing is skipped.
// Set FERMAP_PARITY_REPORT=1 to print the error of every comparison.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include "fermap/layers.hpp"
#include "fermap/loss.hpp"
#include "fermap/model.hpp"
#include "fermap/optim.hpp"
#include "fermap/zoo.hpp"

namespace {

using fermap::Layer;
using fermap::Model;
using fermap::Shape;
using fermap::Tensor;
using Json = nlohmann::json;

constexpr double kTolerance = 1e-4;
constexpr double kScaleFloor = 1e-3;

// One run of the script: its index and all its tensors.
struct Reference {
  Json index;
  std::vector<float> data;

  bool has(const Json& c, const std::string& key) const { return c["tensors"].contains(key); }

  Tensor tensor(const Json& c, const std::string& key) const {
    if (!has(c, key)) throw std::runtime_error("case " + c["name"].get<std::string>() + " has no tensor " + key);
    const Json& e = c["tensors"][key];
    const auto dims = e["shape"].get<std::vector<int>>();
    Shape shape;
    if (dims.size() == 1) shape = Shape{dims[0]};
    else if (dims.size() == 2) shape = Shape{dims[0], dims[1]};
    else if (dims.size() == 3) shape = Shape{dims[0], dims[1], dims[2]};
    else if (dims.size() == 4) shape = Shape{dims[0], dims[1], dims[2], dims[3]};
    else throw std::runtime_error("tensor " + key + " has an unsupported rank");
    Tensor t(shape);
    const auto offset = e["offset"].get<size_t>();
    if (offset + static_cast<size_t>(t.size()) > data.size())
      throw std::runtime_error("tensor " + key + " lies beyond the end of tensors.bin");
    std::copy_n(data.data() + offset, t.size(), t.data());
    return t;
  }
};

// Runs torch_reference.py for `group` ("layers" or "custom_cnn") once per process.
const Reference& reference(const std::string& group) {
  static std::map<std::string, Reference> cache;
  if (auto it = cache.find(group); it != cache.end()) return it->second;

  const std::string python = "/usr/bin/python3";
  if (!std::filesystem::exists(python))
    throw std::runtime_error("PyTorch parity needs " + python + " with torch (Debian: python3-torch)");
  const std::filesystem::path dir = std::filesystem::path(FERMAP_TEST_TMP) / ("parity_" + group);
  std::filesystem::remove_all(dir);  // never read a stale reference
  std::filesystem::create_directories(dir);
  const std::string command = python + " " FERMAP_SOURCE_DIR "/tests/parity/torch_reference.py '" +
                              dir.string() + "' " + group;
  const int status = std::system(command.c_str());
  if (status != 0) {
    const std::string how = status > 0 && WIFEXITED(status) ? "exit code " + std::to_string(WEXITSTATUS(status))
                                                           : "status " + std::to_string(status);
    throw std::runtime_error("the PyTorch reference script failed (" + how + "): `" + command +
                             "`. It needs " + python + " with torch and numpy (Debian: python3-torch).");
  }

  Reference ref;
  std::ifstream index(dir / "index.json");
  if (!index) throw std::runtime_error("the PyTorch reference script wrote no index.json in " + dir.string());
  ref.index = Json::parse(index);
  std::ifstream bin(dir / "tensors.bin", std::ios::binary);
  const auto bytes = std::filesystem::file_size(dir / "tensors.bin");
  if (!bin || bytes % sizeof(float) != 0) throw std::runtime_error("tensors.bin is missing or truncated");
  ref.data.resize(bytes / sizeof(float));
  bin.read(reinterpret_cast<char*>(ref.data.data()), static_cast<std::streamsize>(bytes));
  if (!bin) throw std::runtime_error("could not read tensors.bin");
  return cache.emplace(group, std::move(ref)).first->second;
}

bool report_errors() {
  const char* v = std::getenv("FERMAP_PARITY_REPORT");
  return v && *v && std::string(v) != "0";
}

// max|a-b| / max(max|b|, floor); infinite when a holds a NaN or infinity.
double relative_error(const Tensor& got, const Tensor& want) {
  double diff = 0.0, scale = kScaleFloor;
  for (int64_t i = 0; i < want.size(); ++i) {
    if (!std::isfinite(got[i])) return INFINITY;
    diff = std::max(diff, std::abs(static_cast<double>(got[i]) - want[i]));
    scale = std::max(scale, std::abs(static_cast<double>(want[i])));
  }
  return diff / scale;
}

void check_close(const std::string& case_name, const std::string& what, const Tensor& got,
                 const Tensor& want, double tolerance = kTolerance) {
  INFO(case_name << ": " << what << " fermap " << got.shape().str() << " vs torch " << want.shape().str());
  REQUIRE(got.shape() == want.shape());
  const double rel = relative_error(got, want);
  if (report_errors()) std::printf("  %-40s %-45s rel %.2e\n", case_name.c_str(), what.c_str(), rel);
  INFO("relative error " << rel << " (tolerance " << tolerance << ")");
  CHECK(rel <= tolerance);
}

void check_close(const std::string& case_name, const std::string& what, double got, double want,
                 double tolerance = kTolerance) {
  const double rel = std::abs(got - want) / std::max(std::abs(want), kScaleFloor);
  if (report_errors()) std::printf("  %-40s %-45s rel %.2e\n", case_name.c_str(), what.c_str(), rel);
  INFO(case_name << ": " << what << " fermap " << got << " vs torch " << want << ", relative error " << rel);
  CHECK(rel <= tolerance);
}

// A parameter gradient. Gradients that are zero by construction (a bias right before a batch norm)
// have no scale of their own; there fermap's value, float32 rounding noise, is held to the scale
// of the terms that cancel: max|fermap| <= 1e-4 * max_c sum|dL/dz_c| (from the reference).
void check_gradient(const Reference& ref, const Json& c, const fermap::NamedParam& np) {
  const std::string name = c["name"];
  const Tensor want = ref.tensor(c, "grad:" + np.name);
  if (!c.contains("zero_grads") || !c["zero_grads"].contains(np.name)) {
    check_close(name, "grad " + np.name, np.param->grad, want);
    return;
  }
  const Tensor& got = np.param->grad;
  REQUIRE(got.shape() == want.shape());
  const double scale = c["zero_grads"][np.name].get<double>();
  double largest = 0.0;
  for (int64_t i = 0; i < got.size(); ++i)
    largest = std::isfinite(got[i]) ? std::max(largest, std::abs(static_cast<double>(got[i]))) : INFINITY;
  const double rel = largest / scale;
  if (report_errors())
    std::printf("  %-40s %-45s rel %.2e (zero by construction)\n", name.c_str(), ("grad " + np.name).c_str(), rel);
  INFO(name << ": grad " << np.name << " is zero by construction; fermap's largest " << largest
            << " against the cancelling terms' scale " << scale);
  CHECK(rel <= kTolerance);
}

Shape sample_shape(const Json& dims_json) {
  const auto d = dims_json.get<std::vector<int>>();
  if (d.size() == 1) return Shape{d[0]};
  if (d.size() == 3) return Shape{d[0], d[1], d[2]};
  throw std::runtime_error("unsupported sample rank");
}

// Layers that are not the child of another layer, in order: the model's body.
std::vector<Layer*> top_level(const Model& model) {
  const std::vector<Layer*> all = model.all_layers();
  std::set<Layer*> nested;
  for (Layer* l : all)
    for (Layer* child : l->children()) nested.insert(child);
  std::vector<Layer*> out;
  for (Layer* l : all)
    if (!nested.count(l)) out.push_back(l);
  return out;
}

// Sets every parameter of `model` from the case's "param:<name>" tensors; the case must hold
// exactly the model's parameters, with the same shapes.
void load_params(const Reference& ref, const Json& c, Model& model) {
  const std::string name = c["name"];
  std::set<std::string> expected;
  for (const auto& [key, entry] : c["tensors"].items())
    if (key.rfind("param:", 0) == 0) expected.insert(key.substr(6));
  std::set<std::string> present;
  for (auto& np : model.params()) {
    INFO(name << ": parameter " << np.name);
    REQUIRE(expected.count(np.name) == 1);
    Tensor t = ref.tensor(c, "param:" + np.name);
    REQUIRE(t.shape() == np.param->value.shape());
    np.param->value = t;
    present.insert(np.name);
  }
  INFO(name << ": the reference has parameters fermap lacks");
  REQUIRE(present == expected);
}

Model build_model(const Json& c) {
  Model model;
  for (const auto& l : c["layers"]) model.add(fermap::make_layer(l["type"], l["config"]));
  model.build(sample_shape(c["input"]), 1);
  return model;
}

// A chain of layers: training forward, backward with dx from every layer, parameter gradients,
// moving statistics; then a second backward, which must leave dx as it was and double every
// parameter gradient (backward assigns dx and accumulates parameter gradients).
void run_train_case(const Reference& ref, const Json& c) {
  const std::string name = c["name"];
  Model model = build_model(c);
  load_params(ref, c, model);
  model.zero_grad();
  const std::vector<Layer*> layers = top_level(model);
  const Tensor x = ref.tensor(c, "x");

  std::vector<Tensor> acts(layers.size());
  for (size_t i = 0; i < layers.size(); ++i) layers[i]->forward(i == 0 ? x : acts[i - 1], acts[i]);
  check_close(name, "forward y", acts.back(), ref.tensor(c, "y"));

  auto backward = [&]() {
    Tensor grad = ref.tensor(c, "dy");
    for (size_t i = layers.size(); i-- > 0;) {
      Tensor dx;
      layers[i]->backward(i == 0 ? x : acts[i - 1], acts[i], grad, &dx);
      grad = std::move(dx);
    }
    return grad;
  };
  const Tensor dx = backward();
  check_close(name, "dx", dx, ref.tensor(c, "dx"));
  for (auto& np : model.params()) {
    if (np.param->trainable) {
      check_gradient(ref, c, np);
    } else {
      INFO(name << ": no moving statistic for " << np.name);
      REQUIRE(ref.has(c, "after:" + np.name));
      check_close(name, "after step " + np.name, np.param->value, ref.tensor(c, "after:" + np.name));
    }
  }

  const Tensor dx_again = backward();
  CHECK(fermap::max_abs_diff(dx_again, dx) == 0.0f);
  for (auto& np : model.params()) {
    if (!np.param->trainable) continue;
    Tensor& grad = np.param->grad;
    for (int64_t i = 0; i < grad.size(); ++i) grad[i] *= 0.5f;
    INFO("second backward (parameter gradients must accumulate)");
    check_gradient(ref, c, np);
  }
}

void run_infer_case(const Reference& ref, const Json& c) {
  const std::string name = c["name"];
  Model model = build_model(c);
  load_params(ref, c, model);
  Tensor y;
  model.infer(ref.tensor(c, "x"), y);
  check_close(name, "inference y", y, ref.tensor(c, "y"));
}

// Training-mode dropout draws its own mask; the forward output must be x·mask with every mask
// element 0 or 1/(1-rate), about `rate` of them dropped, and backward must give mask·dy.
void run_dropout_train_case(const Reference& ref, const Json& c) {
  const std::string name = c["name"];
  const float rate = c["layers"][0]["config"]["rate"];
  Model model = build_model(c);
  Layer& dropout = *top_level(model).at(0);
  const Tensor x = ref.tensor(c, "x"), dy = ref.tensor(c, "dy");
  Tensor y, dx;
  dropout.forward(x, y);
  REQUIRE(y.shape() == x.shape());
  const float keep_scale = 1.0f / (1.0f - rate);
  Tensor expected_dx(x.shape());
  int64_t dropped = 0, inconsistent = 0;
  for (int64_t i = 0; i < x.size(); ++i) {
    REQUIRE(x[i] != 0.0f);  // so the mask can be read off y
    float mask;
    if (y[i] == 0.0f) {
      mask = 0.0f;
      ++dropped;
    } else {
      mask = keep_scale;
      if (std::abs(y[i] - x[i] * keep_scale) > 1e-6f * std::abs(x[i] * keep_scale)) ++inconsistent;
    }
    expected_dx[i] = mask * dy[i];
  }
  INFO(name << ": " << dropped << " of " << x.size() << " dropped at rate " << rate);
  CHECK(inconsistent == 0);
  const double fraction = static_cast<double>(dropped) / static_cast<double>(x.size());
  CHECK(std::abs(fraction - rate) < 0.05);
  dropout.backward(x, y, dy, &dx);
  check_close(name, "dx = mask * dy", dx, expected_dx, 0.0);
}

void run_loss_case(const Reference& ref, const Json& c) {
  const std::string name = c["name"];
  fermap::CrossEntropyOptions options;
  options.label_smoothing = c["label_smoothing"];
  options.class_weights = c["class_weights"].get<std::vector<float>>();
  const auto labels = c["labels"].get<std::vector<int>>();
  Tensor dlogits;
  const double loss = fermap::softmax_cross_entropy(ref.tensor(c, "logits"), labels, options, dlogits);
  check_close(name, "loss", loss, c["loss"].get<double>());
  check_close(name, "dlogits", dlogits, ref.tensor(c, "dlogits"));
}

void run_distill_case(const Reference& ref, const Json& c) {
  const std::string name = c["name"];
  Tensor dlogits;
  const double loss = fermap::distillation_loss(ref.tensor(c, "logits"), ref.tensor(c, "teacher"), c["temperature"].get<float>(),
                                                dlogits);
  check_close(name, "loss", loss, c["loss"].get<double>());
  check_close(name, "dlogits", dlogits, ref.tensor(c, "dlogits"));
}

// One training step of custom_cnn: forward (training mode), cross-entropy with label smoothing
// and class weights plus L2 on the kernels, backward, Adam. Dropout would make the training
// forward depend on fermap's own random masks, so the step runs zoo's exact architecture with
// every Dropout rate set to 0 (identity); the reference treats Dropout as identity too.
void run_adam_step_case(const Reference& ref, const Json& c) {
  const std::string name = c["name"];
  fermap::ZooOptions zoo;
  zoo.classes = c["classes"];
  Json arch = fermap::custom_cnn(zoo).architecture();
  {
    INFO("the reference's network must be zoo's custom_cnn, layer for layer");
    const Model mirror = Model::from_architecture({{"input", c["input"]}, {"layers", c["layers"]}});
    REQUIRE(mirror.architecture() == arch);
  }
  int dropouts = 0;
  for (auto& layer : arch["layers"])
    if (layer["type"] == "Dropout") {
      layer["config"]["rate"] = 0.0;
      ++dropouts;
    }
  REQUIRE(dropouts == 4);
  Model model = Model::from_architecture(arch, 0);
  REQUIRE(model.count_params() == c["total_params"].get<int64_t>());
  load_params(ref, c, model);

  const auto l2_names = c["l2_names"].get<std::vector<std::string>>();
  const std::set<std::string> l2_set(l2_names.begin(), l2_names.end());
  for (auto& np : model.params()) {
    INFO(np.name << ": L2 applies in the reference: " << l2_set.count(np.name));
    CHECK(np.param->l2 == (l2_set.count(np.name) == 1));
  }

  const float lambda = c["l2"];
  model.zero_grad();
  const Tensor x = ref.tensor(c, "x");
  Tensor infer_logits;
  model.infer(x, infer_logits);
  check_close(name, "inference logits", infer_logits, ref.tensor(c, "infer_logits"));
  const Tensor& logits = model.forward(x);
  check_close(name, "logits", logits, ref.tensor(c, "logits"));

  fermap::CrossEntropyOptions options;
  options.label_smoothing = c["label_smoothing"];
  options.class_weights = c["class_weights"].get<std::vector<float>>();
  Tensor dlogits;
  const auto params = model.params();
  const double loss = fermap::softmax_cross_entropy(logits, c["labels"].get<std::vector<int>>(), options,
                                                    dlogits) +
                      fermap::l2_penalty(params, lambda);
  check_close(name, "loss (cross-entropy + L2)", loss, c["loss"].get<double>());
  check_close(name, "dlogits", dlogits, ref.tensor(c, "dlogits"));

  model.backward(dlogits);
  fermap::add_l2_gradient(params, lambda);
  for (const auto& np : params)
    if (np.param->trainable) check_gradient(ref, c, np);

  // (1) The whole step: fermap's own gradients through fermap's Adam. Adam's first step is
  // w -= lr * g / (|g| + eps/sqrt(1-b2)): a sign step wherever |g| >> 3e-6, but steep around
  // g = 0, where it turns float32 rounding noise in g (gradients zero by construction, or a few
  // 1e-6 against a 10 max) into up to 2*lr. So each updated weight may differ by 1e-4 of the
  // tensor's scale plus what the measured gradient error can do there through Adam:
  //   max over |d| <= max|g_fermap - g_torch| of |u(g_torch + d) - u(g_torch)|.
  const float lr = c["lr"];
  fermap::AdamOptions adam_options;
  adam_options.beta1 = c["beta1"], adam_options.beta2 = c["beta2"], adam_options.epsilon = c["epsilon"];
  const double b1 = adam_options.beta1, b2 = adam_options.beta2, eps = adam_options.epsilon;
  const double lr_t = lr * std::sqrt(1.0 - b2) / (1.0 - b1);  // t = 1
  auto adam_update = [&](double g) { return lr_t * (1.0 - b1) * g / (std::sqrt((1.0 - b2) * g * g) + eps); };

  fermap::Adam adam(adam_options);
  adam.step(params, lr);
  for (const auto& np : params) {
    const Tensor want = ref.tensor(c, "after:" + np.name);
    if (!np.param->trainable) {  // moving statistics, updated by the forward
      check_close(name, "after step " + np.name, np.param->value, want);
      continue;
    }
    const Tensor g = ref.tensor(c, "grad:" + np.name);
    const Tensor& got = np.param->value;
    REQUIRE(got.shape() == want.shape());
    double grad_error = 0.0, scale = kScaleFloor, plain = 0.0, worst = 0.0;
    for (int64_t i = 0; i < g.size(); ++i) {
      grad_error = std::max(grad_error, std::abs(static_cast<double>(np.param->grad[i]) - g[i]));
      scale = std::max(scale, std::abs(static_cast<double>(want[i])));
    }
    int64_t beyond = 0;  // weights further than 1e-4 * scale: explained by Adam's slope alone
    for (int64_t i = 0; i < g.size(); ++i) {
      const double u = adam_update(g[i]);
      const double slope_allowance = std::max(std::abs(adam_update(g[i] + grad_error) - u),
                                              std::abs(adam_update(g[i] - grad_error) - u));
      const double diff = std::abs(static_cast<double>(got[i]) - want[i]);
      plain = std::max(plain, diff / scale);
      if (diff > kTolerance * scale) ++beyond;
      worst = std::max(worst, diff / (kTolerance * scale + slope_allowance));
      if (!std::isfinite(got[i])) worst = INFINITY;
    }
    if (report_errors())
      std::printf("  %-40s %-45s rel %.2e, %lld beyond 1e-4, %.2f of allowance\n", name.c_str(),
                  ("after own step " + np.name).c_str(), plain, static_cast<long long>(beyond), worst);
    INFO(name << ": after fermap's step " << np.name << ": relative error " << plain << ", " << beyond
              << " elements beyond 1e-4, worst at " << worst << " of 1e-4 + Adam's slope allowance");
    CHECK(worst <= 1.0);
  }

  // (2) Adam alone, from the same gradients: fermap's Adam fed PyTorch's gradients must give
  // PyTorch's updated weights, and each update (new - old) must match to 1e-4 of its own size.
  fermap::Adam fresh(adam_options);
  for (const auto& np : params) {
    if (!np.param->trainable) continue;
    np.param->value = ref.tensor(c, "param:" + np.name);
    np.param->grad = ref.tensor(c, "grad:" + np.name);
  }
  fresh.step(params, lr);
  for (const auto& np : params) {
    if (!np.param->trainable) continue;
    const Tensor want = ref.tensor(c, "after:" + np.name);
    check_close(name, "after step from torch's grads " + np.name, np.param->value, want);
    const Tensor initial = ref.tensor(c, "param:" + np.name);
    Tensor got_delta = np.param->value, want_delta = want;
    for (int64_t i = 0; i < want.size(); ++i) {
      got_delta[i] -= initial[i];
      want_delta[i] -= initial[i];
    }
    check_close(name, "update from torch's grads " + np.name, got_delta, want_delta);
  }
}

void run_case(const Reference& ref, const Json& c) {
  const std::string mode = c["mode"];
  if (report_errors() && c.contains("conditioning"))
    std::printf("  %-40s conditioning (smallest |ReLU input|, smallest max-pool top-2 gap): %s\n",
                c["name"].get<std::string>().c_str(), c["conditioning"].dump().c_str());
  if (mode == "train") run_train_case(ref, c);
  else if (mode == "infer") run_infer_case(ref, c);
  else if (mode == "dropout_train") run_dropout_train_case(ref, c);
  else if (mode == "loss") run_loss_case(ref, c);
  else if (mode == "distill") run_distill_case(ref, c);
  else if (mode == "adam_step") run_adam_step_case(ref, c);
  else FAIL("case " << c["name"] << " has an unknown mode " << mode);
}

void collect_types(const Json& layers, std::set<std::string>& types) {
  for (const auto& l : layers) {
    types.insert(l["type"].get<std::string>());
    if (l["type"] == "ResidualBlock") {
      collect_types(l["config"]["main"], types);
      collect_types(l["config"]["shortcut"], types);
    }
  }
}

}  // namespace

TEST_CASE("PyTorch parity: every layer forward and backward with cross-entropy, distillation and dropout", "[parity]") {
  const Reference& ref = reference("layers");
  const Json& cases = ref.index["cases"];
  REQUIRE(cases.size() > 40);

  std::set<std::string> types, modes;
  for (const auto& c : cases) {
    modes.insert(c["mode"].get<std::string>());
    if (c.contains("layers")) collect_types(c["layers"], types);
  }
  const std::set<std::string> every_type = {
      "Conv2D", "DepthwiseConv2D", "SeparableConv2D", "BatchNormalization", "MaxPooling2D",
      "Dropout", "Dense", "ReLU", "Flatten", "GlobalAveragePooling2D", "ZeroPadding2D",
      "ResidualBlock"};
  CHECK(types == every_type);
  CHECK(modes == std::set<std::string>{"train", "infer", "dropout_train", "loss", "distill"});

  for (const auto& c : cases) {
    DYNAMIC_SECTION(c["name"].get<std::string>()) { run_case(ref, c); }
  }
}

TEST_CASE("PyTorch parity: one Adam step of custom_cnn with L2 and label smoothing and class weights", "[parity]") {
  const Reference& ref = reference("custom_cnn");
  const Json& cases = ref.index["cases"];
  REQUIRE(cases.size() == 1);
  run_case(ref, cases[0]);
}
