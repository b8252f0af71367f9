// Sharpness-aware minimisation (SAM; Foret et al., 2021). The gradient the optimiser steps with is
// taken not at the weights w but at w + rho * g / ||g||, the highest nearby point to first order,
// so training settles where the loss is low in a whole neighbourhood (a flat minimum), which
// generalises better and is less swayed by wrongly labelled images. It costs a second forward and
// backward pass per step.
#pragma once

#include <vector>

#include "fermap/model.hpp"

namespace fermap {

class SharpnessAware {
 public:
  // rho > 0: the length of the move, over all trainable parameters together. Throws ArgumentError otherwise.
  explicit SharpnessAware(float rho);

  // Moves every trainable parameter by rho * grad / ||grad||, the norm over all of them, after
  // keeping the weights. A zero gradient moves nothing.
  void ascend(const std::vector<NamedParam>& params);
  // Puts back the weights kept by ascend, bit for bit; the grads (by then the second pass's) stay
  // for the optimiser.
  void restore(const std::vector<NamedParam>& params) const;

 private:
  float rho_;
  std::vector<Tensor> kept_;
};

}  // namespace fermap
