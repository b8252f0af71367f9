// The training/validation split a model was trained with, from the config `fermap train` stores
// in the model file: the commands that evaluate on "the model's own validation images" need it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

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

// The split a command works on: the one the model was trained with, from the config `fermap train`
// stores in the model file, where the user gave no --val-fraction or --split-seed. Returns a line
// saying where the split came from.
inline std::string choose_split(const ModelMeta& meta, const CLI::App& cmd, double& val_fraction, uint64_t& split_seed) {
  const std::optional<RecordedSplit> recorded = recorded_split(meta);
  if (recorded) {
    if (cmd.count("--val-fraction") == 0) val_fraction = recorded->val_fraction;
    if (cmd.count("--split-seed") == 0) split_seed = recorded->split_seed;
  }
  char line[200];
  std::snprintf(line, sizeof line, "training split: %.0f %% validation drawn by seed %llu (%s)", 100 * val_fraction,
                static_cast<unsigned long long>(split_seed),
                recorded ? "as the model was trained, unless a flag says otherwise" : "the model records no training split");
  return line;
}

}  // namespace fermap::cli
