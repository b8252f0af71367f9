#include "train/class_subset_init.hpp"

#include <algorithm>
#include <cstddef>

#include <nlohmann/json.hpp>

#include "fermap/data/fer2013.hpp"
#include "fermap/error.hpp"

namespace fermap {

namespace {

// For each target class, its unit in the source's output layer.
std::vector<size_t> source_units(const std::vector<std::string>& source_classes, const std::vector<std::string>& target_classes,
                                 const std::string& path) {
  std::vector<size_t> units;
  for (const std::string& name : target_classes) {
    const auto it = std::find(source_classes.begin(), source_classes.end(), name);
    if (it == source_classes.end())
      throw FormatError(path + ": its classes are " + join_class_list(source_classes) + ", this run's are " +
                        join_class_list(target_classes) + "; --init needs every class of the run among the model's, and " +
                        name + " is not");
    units.push_back(static_cast<size_t>(it - source_classes.begin()));
  }
  return units;
}

// The source's architecture with its output layer narrowed to `classes` units: what the target's
// must be. An architecture that does not end in a Dense layer has no output layer to narrow.
nlohmann::json narrowed_architecture(const Model& source, size_t classes, const std::string& path) {
  nlohmann::json arch = source.architecture();
  nlohmann::json& layers = arch.at("layers");
  if (layers.empty() || layers.back().value("type", "") != "Dense")
    throw FormatError(path + ": its last layer is not a Dense output layer, so its classes cannot be narrowed");
  layers.back()["config"]["units"] = classes;
  return arch;
}

// dst[..., j] = src[..., units[j]]: the output layer's tensors have one entry per class along their last axis.
void copy_class_columns(const Tensor& src, Tensor& dst, const std::vector<size_t>& units) {
  const Shape& shape = src.shape();
  const size_t src_cols = static_cast<size_t>(shape[shape.rank() - 1]), dst_cols = units.size();
  const size_t rows = static_cast<size_t>(src.size()) / src_cols;
  for (size_t r = 0; r < rows; ++r)
    for (size_t j = 0; j < dst_cols; ++j) dst.data()[r * dst_cols + j] = src.data()[r * src_cols + units[j]];
}

}  // namespace

void init_from_class_superset(LoadedModel& source, const std::string& source_path, Model& target,
                              const std::vector<std::string>& target_classes) {
  const std::vector<size_t> units = source_units(source.meta.classes, target_classes, source_path);
  Model& from = source.model;
  if (narrowed_architecture(from, units.size(), source_path) != target.architecture())
    throw FormatError(source_path + ": holds a different architecture than this run's model (beyond its output layer)");

  const std::vector<Layer*> from_layers = from.all_layers(), to_layers = target.all_layers();
  const std::string output_prefix = to_layers.back()->name() + "/";
  const std::vector<NamedParam> from_params = from.params(), to_params = target.params();
  for (size_t i = 0; i < to_params.size(); ++i) {
    const Tensor& src = from_params[i].param->value;
    Tensor& dst = to_params[i].param->value;
    if (to_params[i].name.rfind(output_prefix, 0) == 0)
      copy_class_columns(src, dst, units);
    else
      std::copy(src.data(), src.data() + src.size(), dst.data());
  }
  for (size_t i = 0; i < to_layers.size(); ++i) to_layers[i]->set_state(from_layers[i]->state());
}

}  // namespace fermap
