// Dropout (inverted): in training each element is zeroed with probability `rate` and the rest
// scaled by 1/(1-rate); in inference it is the identity. The mask of call k is a pure function of
// (seed, k, element), so it is the same for any thread count and after a resume.
#pragma once

#include <cstdint>

#include "fermap/layer.hpp"

namespace fermap {

class Dropout : public Layer {
 public:
  explicit Dropout(float rate);
  std::string type() const override { return "Dropout"; }
  nlohmann::json config() const override;
  Shape build(const Shape& input, Rng& rng) override;
  void infer(const Tensor& x, Tensor& y) const override;
  void forward(const Tensor& x, Tensor& y) override;
  void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) override;

  // {"calls": n}: the count of training calls, the one state a resumed run must restore.
  nlohmann::json state() const override;
  void set_state(const nlohmann::json& state) override;

 private:
  float rate_;
  uint64_t seed_ = 0, calls_ = 0;
  Tensor mask_;  // 0 or 1/(1-rate) per element of the last forward
};

}  // namespace fermap
