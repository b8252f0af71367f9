// Layers that only move values: Flatten ([H,W,C] -> [H*W*C], Keras order) and ZeroPadding2D.
#pragma once

#include "fermap/layer.hpp"

namespace fermap {

class Flatten : public Layer {
 public:
  std::string type() const override { return "Flatten"; }
  nlohmann::json config() const override;
  Shape build(const Shape& input, Rng& rng) override;
  void infer(const Tensor& x, Tensor& y) const override;
  void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) override;
};

struct ZeroPadding2DOptions {
  int top = 1, bottom = 1, left = 1, right = 1;
};

class ZeroPadding2D : public Layer {
 public:
  explicit ZeroPadding2D(const ZeroPadding2DOptions& options = {});
  explicit ZeroPadding2D(int pad) : ZeroPadding2D(ZeroPadding2DOptions{pad, pad, pad, pad}) {}
  std::string type() const override { return "ZeroPadding2D"; }
  nlohmann::json config() const override;
  Shape build(const Shape& input, Rng& rng) override;
  void infer(const Tensor& x, Tensor& y) const override;
  void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) override;

 private:
  ZeroPadding2DOptions options_;
};

}  // namespace fermap
