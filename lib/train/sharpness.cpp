#include "train/sharpness.hpp"

#include <cmath>
#include <string>

#include "fermap/error.hpp"

namespace fermap {

SharpnessAware::SharpnessAware(float rho) : rho_(rho) {
  if (!(rho > 0.0f && std::isfinite(rho))) throw ArgumentError("SAM's neighbourhood (--sam) must be positive, not " + std::to_string(rho));
}

void SharpnessAware::ascend(const std::vector<NamedParam>& params) {
  double squares = 0;
  for (const NamedParam& np : params) {
    if (!np.param->trainable) continue;
    const float* g = np.param->grad.data();
    for (int64_t i = 0; i < np.param->grad.size(); ++i) squares += static_cast<double>(g[i]) * g[i];
  }
  // Copies into the tensors of the step before: their memory is reused, not allocated per step.
  size_t k = 0;
  for (const NamedParam& np : params) {
    if (!np.param->trainable) continue;
    if (k == kept_.size()) kept_.emplace_back();
    kept_[k++] = np.param->value;
  }
  kept_.resize(k);
  if (!(squares > 0.0)) return;
  const float scale = static_cast<float>(rho_ / std::sqrt(squares));
  for (const NamedParam& np : params) {
    if (!np.param->trainable) continue;
    float* w = np.param->value.data();
    const float* g = np.param->grad.data();
    for (int64_t i = 0; i < np.param->value.size(); ++i) w[i] += scale * g[i];
  }
}

void SharpnessAware::restore(const std::vector<NamedParam>& params) const {
  size_t k = 0;
  for (const NamedParam& np : params) {
    if (!np.param->trainable) continue;
    if (k == kept_.size() || kept_[k].shape() != np.param->value.shape())
      throw Error("SAM: restore() was given other parameters than ascend()");
    np.param->value = kept_[k++];
  }
  if (k != kept_.size()) throw Error("SAM: restore() was given other parameters than ascend()");
}

}  // namespace fermap
