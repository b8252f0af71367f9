// Loading the models of an ensemble (`fermap eval A B ...`, `fermap data suspects A B ...`): each a
// classifier, all of the same classes and input size.
#pragma once

#include <string>
#include <vector>

#include "fermap/classifier.hpp"
#include "fermap/data/fer2013.hpp"
#include "fermap/error.hpp"
#include "fermap/evaluate.hpp"
#include "fermap/serialize.hpp"

namespace fermap::cli {

// Throws ArgumentError naming the file whose classes or input differ from the first model's.
inline std::vector<LoadedModel> load_ensemble(const std::vector<std::string>& paths) {
  std::vector<LoadedModel> loaded;
  for (const std::string& path : paths) {
    loaded.push_back(load_model(path));
    check_classifier_model(loaded.back(), path);
    const LoadedModel &first = loaded.front(), &added = loaded.back();
    if (added.meta.classes != first.meta.classes)
      throw ArgumentError(path + ": its classes are " + join_class_list(added.meta.classes) + ", " + paths.front() +
                          "'s are " + join_class_list(first.meta.classes) + "; an ensemble needs the same classes");
    if (added.model.input_shape() != first.model.input_shape())
      throw ArgumentError(path + ": its input is " + added.model.input_shape().str() + ", " + paths.front() + "'s is " +
                          first.model.input_shape().str() + "; an ensemble needs the same input size");
  }
  return loaded;
}

// What the loaders need to read faces for these models: their classes and input size.
inline LoadOptions ensemble_load_options(const std::vector<LoadedModel>& loaded, bool skip_bad) {
  LoadOptions lo;
  lo.classes = loaded.front().meta.classes;
  lo.height = lo.width = loaded.front().model.input_shape()[0];
  lo.skip_bad = skip_bad;
  return lo;
}

inline std::vector<ModelRef> model_refs(const std::vector<LoadedModel>& loaded) {
  std::vector<ModelRef> refs;
  for (const LoadedModel& m : loaded) refs.push_back({&m.model, &m.meta});
  return refs;
}

}  // namespace fermap::cli
