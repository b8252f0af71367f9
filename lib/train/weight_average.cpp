#include "train/weight_average.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "fermap/error.hpp"

namespace fermap {

WeightAverage::WeightAverage(float decay) : decay_(decay) {
  if (!(decay > 0.0f && decay < 1.0f)) throw ArgumentError("the weight average's decay must lie in (0, 1), not " + std::to_string(decay));
}

void WeightAverage::prepare(const std::vector<NamedParam>& params) {
  names_.clear();
  average_.clear();
  for (const NamedParam& np : params) {
    names_.push_back(np.name);
    average_.push_back(np.param->value);
  }
}

void WeightAverage::check_matches(const std::vector<NamedParam>& params) const {
  bool same = params.size() == names_.size();
  for (size_t i = 0; same && i < params.size(); ++i)
    same = params[i].name == names_[i] && params[i].param->value.shape() == average_[i].shape();
  if (!same) throw Error("the weight average belongs to another model");
}

void WeightAverage::update(const std::vector<NamedParam>& params, uint64_t step) {
  if (average_.empty()) prepare(params);
  check_matches(params);
  const float warm = static_cast<float>(1 + step) / static_cast<float>(10 + step);
  const float d = std::min(decay_, warm), fresh = 1.0f - d;
  for (size_t i = 0; i < params.size(); ++i) {
    const float* w = params[i].param->value.data();
    float* avg = average_[i].data();
    const int64_t n = average_[i].size();
    for (int64_t j = 0; j < n; ++j) avg[j] = d * avg[j] + fresh * w[j];
  }
}

void WeightAverage::swap_with(const std::vector<NamedParam>& params) {
  check_matches(params);
  for (size_t i = 0; i < params.size(); ++i) std::swap(params[i].param->value, average_[i]);
}

std::vector<std::pair<std::string, Tensor*>> WeightAverage::state_tensors() {
  std::vector<std::pair<std::string, Tensor*>> out;
  for (size_t i = 0; i < average_.size(); ++i) out.emplace_back(names_[i], &average_[i]);
  return out;
}

}  // namespace fermap
