// An exponential moving average of a model's weights (Polyak averaging): the average of the
// recent iterates, which sits nearer the bottom of the valley the optimiser keeps stepping around.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "fermap/model.hpp"

namespace fermap {

class WeightAverage {
 public:
  // decay in (0, 1): the weight of the old average at each update. Throws ArgumentError otherwise.
  explicit WeightAverage(float decay);

  // After optimiser step `step` (1-based): average = d * average + (1 - d) * weights, over every
  // parameter (batch-norm moving statistics included), with d = min(decay, (1 + step) / (10 + step))
  // so that the first steps, far from where training ends, are soon forgotten. The first call
  // starts the average at the weights.
  void update(const std::vector<NamedParam>& params, uint64_t step);

  // Exchanges the model's weights with the average; a second call puts them back.
  void swap_with(const std::vector<NamedParam>& params);

  // Creates the average as a copy of the weights now (before a resume fills it).
  void prepare(const std::vector<NamedParam>& params);
  // The averaged tensors, named like the parameters, for checkpoints.
  std::vector<std::pair<std::string, Tensor*>> state_tensors();

 private:
  void check_matches(const std::vector<NamedParam>& params) const;

  float decay_;
  std::vector<std::string> names_;
  std::vector<Tensor> average_;
};

}  // namespace fermap
