// ResidualBlock: y = relu(main(x) + shortcut(x)), the shortcut being the identity when empty.
// Holding both paths inside one layer keeps a ResNet a plain sequence of layers.
#pragma once

#include "fermap/layer_chain.hpp"

namespace fermap {

class ResidualBlock : public Layer {
 public:
  ResidualBlock(LayerChain main, LayerChain shortcut);
  std::string type() const override { return "ResidualBlock"; }
  nlohmann::json config() const override;
  Shape build(const Shape& input, Rng& rng) override;
  void infer(const Tensor& x, Tensor& y) const override;
  void forward(const Tensor& x, Tensor& y) override;
  void update_statistics(const Tensor& x, Tensor& y) override;
  void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) override;
  std::vector<Layer*> children() override;

 private:
  LayerChain main_, shortcut_;
  Tensor dsum_, dx_shortcut_;
};

}  // namespace fermap
