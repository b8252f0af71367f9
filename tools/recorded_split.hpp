// The training/validation split a model was trained with, from the config `fermap train` stores
// in the model file: the commands that evaluate on "the model's own validation images" need it.
#pragma once

#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "fermap/serialize.hpp"

namespace fermap::cli {

struct RecordedSplit {
  double val_fraction = 0.1;
  uint64_t split_seed = 1;  // the seed that drew the split: --split-seed, else the run's --seed

  bool operator==(const RecordedSplit& other) const {
    return val_fraction == other.val_fraction && split_seed == other.split_seed;
  }
};

// Empty when the file records no training config (a model not written by `fermap train`).
inline std::optional<RecordedSplit> recorded_split(const ModelMeta& meta) {
  const nlohmann::json& extra = meta.extra;
  if (!extra.is_object() || !extra.contains("config") || !extra["config"].is_object()) return std::nullopt;
  const nlohmann::json& config = extra["config"];
  RecordedSplit split;
  split.val_fraction = config.value("val_fraction", 0.1);
  const uint64_t split_seed = config.value("split_seed", uint64_t{0});
  split.split_seed = split_seed ? split_seed : config.value("seed", uint64_t{1});
  return split;
}

}  // namespace fermap::cli
