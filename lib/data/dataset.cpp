// Dataset bookkeeping: class counts, consistency check, subsets and the stratified split.
#include "fermap/data/dataset.hpp"

#include <algorithm>
#include <cstring>

#include "fermap/error.hpp"
#include "fermap/rng.hpp"

namespace fermap {

std::vector<size_t> Dataset::class_counts() const {
  std::vector<size_t> counts(class_names.size(), 0);
  for (int label : labels)
    if (label >= 0 && static_cast<size_t>(label) < counts.size()) ++counts[static_cast<size_t>(label)];
  return counts;
}

void Dataset::check() const {
  if (height <= 0 || width <= 0)
    throw FormatError("dataset: image size " + std::to_string(height) + "x" + std::to_string(width));
  if (pixels.size() != size() * image_bytes())
    throw FormatError("dataset: " + std::to_string(pixels.size()) + " pixel bytes for " +
                      std::to_string(size()) + " images of " + std::to_string(image_bytes()));
  if (sources.size() != size())
    throw FormatError("dataset: " + std::to_string(sources.size()) + " sources for " +
                      std::to_string(size()) + " images");
  for (size_t i = 0; i < size(); ++i)
    if (labels[i] < 0 || static_cast<size_t>(labels[i]) >= class_names.size())
      throw FormatError("dataset: label " + std::to_string(labels[i]) + " of " + sources[i] +
                        " is not one of the " + std::to_string(class_names.size()) + " classes");
}

Dataset subset(const Dataset& data, const std::vector<size_t>& indices) {
  Dataset out;
  out.height = data.height;
  out.width = data.width;
  out.class_names = data.class_names;
  const size_t bytes = data.image_bytes();
  out.pixels.resize(indices.size() * bytes);
  out.labels.reserve(indices.size());
  out.sources.reserve(indices.size());
  for (size_t k = 0; k < indices.size(); ++k) {
    const size_t i = indices[k];
    if (i >= data.size())
      throw ArgumentError("subset: index " + std::to_string(i) + " out of range for a dataset of " +
                          std::to_string(data.size()) + " images");
    std::memcpy(out.pixels.data() + k * bytes, data.image(i), bytes);
    out.labels.push_back(data.labels[i]);
    out.sources.push_back(i < data.sources.size() ? data.sources[i] : std::string());
  }
  return out;
}

TrainValSplit split_stratified(const Dataset& data, double val_fraction, uint64_t seed) {
  if (!(val_fraction >= 0.0 && val_fraction < 1.0))
    throw ArgumentError("split_stratified: val_fraction must be in [0, 1), got " +
                        std::to_string(val_fraction));
  std::vector<std::vector<size_t>> members(data.class_names.size());
  for (size_t i = 0; i < data.size(); ++i) members.at(static_cast<size_t>(data.labels[i])).push_back(i);

  std::vector<char> to_val(data.size(), 0);
  for (size_t c = 0; c < members.size(); ++c) {
    std::vector<size_t>& m = members[c];
    Rng rng(mix64(seed ^ mix64(0x5b1170000ull + c)));
    for (size_t k = m.size(); k > 1; --k) std::swap(m[k - 1], m[rng.below(k)]);
    const auto n_val = static_cast<size_t>(static_cast<double>(m.size()) * val_fraction + 0.5);
    for (size_t k = 0; k < n_val && k < m.size(); ++k) to_val[m[k]] = 1;
  }
  std::vector<size_t> train_idx, val_idx;
  for (size_t i = 0; i < data.size(); ++i) (to_val[i] ? val_idx : train_idx).push_back(i);
  return {subset(data, train_idx), subset(data, val_idx)};
}

}  // namespace fermap
