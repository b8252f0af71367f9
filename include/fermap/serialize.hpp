// Saving and loading models and checkpoints: one self-describing file.
//
// File layout (all integers little-endian):
//   bytes 0..7    magic "FERMAPMF"
//   bytes 8..11   uint32 format version (kModelFormatVersion)
//   bytes 12..19  uint64 header length H
//   H bytes       header, UTF-8 JSON: {"architecture", "classes", "preprocessing", "layer_state",
//                 "tensors": [{"name", "shape"}...], "extra": {...}}
//   tensor data   float32, each tensor of "tensors" in order, contiguous
//   last 8 bytes  uint64 FNV-1a checksum of every byte before it
// Files are written to a temporary name, flushed to disk (fsync), renamed over the old file and
// the folder synced, so a crash or power cut leaves the old file or the new one, never half of one.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "fermap/model.hpp"

namespace fermap {

constexpr uint32_t kModelFormatVersion = 1;

// What an input image must go through before the model sees it.
struct Preprocessing {
  float scale = 1.0f / 255.0f;  // pixel value multiplier (Keras rescale)
  int channels = 1;             // the model's input channels; a gray face is replicated to 3
  bool equalize = false;        // histogram-equalise each face first (data/equalize.hpp)

  bool operator==(const Preprocessing& other) const {
    return scale == other.scale && channels == other.channels && equalize == other.equalize;
  }
  bool operator!=(const Preprocessing& other) const { return !(*this == other); }
};

struct ModelMeta {
  std::vector<std::string> classes;
  Preprocessing preprocessing;
  nlohmann::json extra = nlohmann::json::object();  // training progress, metrics, anything
};

// Extra named tensors stored beside the parameters (optimiser moments in a checkpoint).
using NamedTensors = std::vector<std::pair<std::string, Tensor*>>;

void save_model(const std::string& path, Model& model, const ModelMeta& meta,
                const NamedTensors& extra_tensors = {});

struct LoadedModel {
  Model model;
  ModelMeta meta;
  std::map<std::string, Tensor> extra_tensors;
};

// Throws FormatError naming the file and the problem: not a model file, a newer format version,
// truncated, checksum mismatch, malformed header, a tensor of the wrong shape or missing, a
// tensor or an architecture claiming more than the file holds (refused before allocating it).
LoadedModel load_model(const std::string& path);

// Same, from the bytes of a model file already in memory; `name` identifies them in errors.
LoadedModel load_model_from_bytes(const std::string& bytes, const std::string& name);

// The whole file, unparsed (IoError naming it when it cannot be read): for load_model_from_bytes
// when the same bytes must also be checksummed.
std::string read_model_file(const std::string& path);

// Loads a file's weights into an existing model of the same architecture (else FormatError).
LoadedModel load_into(const std::string& path, Model& model);

// FNV-1a (64-bit) of `bytes`: the checksum a model file ends with.
uint64_t model_file_checksum(std::string_view bytes);

// Writes `bytes` to `path` atomically (temp file "<path>.tmp.<pid>", fsync, rename, fsync of the
// folder). Throws IoError.
void write_file_atomically(const std::string& path, const std::string& bytes);

// Whether the file name `name` is such a temp file ("<file>.tmp.<digits>"): what a process killed
// inside write_file_atomically leaves behind.
bool is_leftover_temp_file(const std::string& name);

}  // namespace fermap
