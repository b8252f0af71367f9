// Rebuilding layers from the (type, config) pairs a saved architecture holds.
#include <functional>
#include <map>

#include <nlohmann/json.hpp>

#include "fermap/layers.hpp"
#include "layers/common.hpp"

namespace fermap {

using detail::config_get;
using Json = nlohmann::json;

nlohmann::json chain_config(const LayerChain& chain) {
  Json layers = Json::array();
  for (const auto& l : chain.layers()) layers.push_back({{"type", l->type()}, {"config", l->config()}});
  return layers;
}

LayerChain chain_from_config(const Json& j) {
  // Residual blocks hold layer lists of their own; ResNet50 nests one level. A file nesting
  // thousands would exhaust the stack while it is built, so the depth is capped.
  constexpr int kMaxNesting = 16;
  thread_local int depth = 0;
  struct Nesting {
    Nesting() { ++depth; }
    ~Nesting() { --depth; }
  } nesting;
  if (depth > kMaxNesting)
    throw FormatError("the architecture nests layer lists more than " + std::to_string(kMaxNesting) + " deep");
  if (!j.is_array()) throw FormatError("a layer list in the architecture is not an array");
  LayerChain chain;
  for (const auto& item : j) {
    if (!item.is_object() || !item.contains("type") || !item["type"].is_string())
      throw FormatError("a layer in the architecture has no \"type\"");
    chain.add(make_layer(item["type"].get<std::string>(), item.value("config", Json::object())));
  }
  return chain;
}

namespace {

Size2 size2(const Json& c, const char* key, const std::string& type) {
  const auto v = config_get<std::vector<int>>(c, key, type);
  if (v.size() != 2) throw FormatError(type + " config \"" + key + "\" must have two numbers");
  return {v[0], v[1]};
}

Padding padding(const Json& c, const std::string& type) {
  return parse_padding(config_get<std::string>(c, "padding", type));
}

Activation activation(const Json& c, const std::string& type) {
  return parse_activation(config_get<std::string>(c, "activation", type));
}

using Factory = std::function<LayerPtr(const Json&, const std::string&)>;

const std::map<std::string, Factory>& factories() {
  static const std::map<std::string, Factory> table = {
      {"Conv2D",
       [](const Json& c, const std::string& t) {
         Conv2DOptions o;
         o.filters = config_get<int>(c, "filters", t), o.kernel = size2(c, "kernel", t);
         o.stride = config_get<int>(c, "stride", t), o.padding = padding(c, t);
         o.use_bias = config_get<bool>(c, "use_bias", t), o.activation = activation(c, t);
         return std::make_unique<Conv2D>(o);
       }},
      {"DepthwiseConv2D",
       [](const Json& c, const std::string& t) {
         DepthwiseConv2DOptions o;
         o.kernel = size2(c, "kernel", t), o.stride = config_get<int>(c, "stride", t);
         o.padding = padding(c, t), o.use_bias = config_get<bool>(c, "use_bias", t);
         o.activation = activation(c, t);
         return std::make_unique<DepthwiseConv2D>(o);
       }},
      {"SeparableConv2D",
       [](const Json& c, const std::string& t) {
         SeparableConv2DOptions o;
         o.filters = config_get<int>(c, "filters", t), o.kernel = size2(c, "kernel", t);
         o.padding = padding(c, t), o.use_bias = config_get<bool>(c, "use_bias", t);
         o.activation = activation(c, t);
         return std::make_unique<SeparableConv2D>(o);
       }},
      {"BatchNormalization",
       [](const Json& c, const std::string& t) {
         BatchNormOptions o;
         o.momentum = config_get<float>(c, "momentum", t), o.epsilon = config_get<float>(c, "epsilon", t);
         return std::make_unique<BatchNormalization>(o);
       }},
      {"MaxPooling2D",
       [](const Json& c, const std::string& t) {
         MaxPool2DOptions o;
         o.pool = size2(c, "pool", t), o.stride = config_get<int>(c, "stride", t), o.padding = padding(c, t);
         return std::make_unique<MaxPooling2D>(o);
       }},
      {"Dropout",
       [](const Json& c, const std::string& t) { return std::make_unique<Dropout>(config_get<float>(c, "rate", t)); }},
      {"Dense",
       [](const Json& c, const std::string& t) {
         DenseOptions o;
         o.units = config_get<int>(c, "units", t), o.use_bias = config_get<bool>(c, "use_bias", t);
         o.activation = activation(c, t);
         return std::make_unique<Dense>(o);
       }},
      {"ReLU", [](const Json&, const std::string&) { return std::make_unique<ReLU>(); }},
      {"Flatten", [](const Json&, const std::string&) { return std::make_unique<Flatten>(); }},
      {"GlobalAveragePooling2D",
       [](const Json&, const std::string&) { return std::make_unique<GlobalAveragePooling2D>(); }},
      {"ZeroPadding2D",
       [](const Json& c, const std::string& t) {
         ZeroPadding2DOptions o;
         o.top = config_get<int>(c, "top", t), o.bottom = config_get<int>(c, "bottom", t);
         o.left = config_get<int>(c, "left", t), o.right = config_get<int>(c, "right", t);
         return std::make_unique<ZeroPadding2D>(o);
       }},
      {"ResidualBlock",
       [](const Json& c, const std::string& t) {
         if (!c.contains("main") || !c.contains("shortcut"))
           throw FormatError(t + " config needs \"main\" and \"shortcut\"");
         return std::make_unique<ResidualBlock>(chain_from_config(c["main"]), chain_from_config(c["shortcut"]));
       }},
  };
  return table;
}

}  // namespace

LayerPtr make_layer(const std::string& type, const Json& config) {
  const auto& table = factories();
  const auto it = table.find(type);
  if (it == table.end()) throw FormatError("unknown layer type \"" + type + "\"");
  try {
    return it->second(config, type);
  } catch (const ArgumentError& e) {
    throw FormatError(type + " config is invalid: " + e.what());
  }
}

}  // namespace fermap
