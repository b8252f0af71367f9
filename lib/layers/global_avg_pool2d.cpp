#include "fermap/layers/global_avg_pool2d.hpp"

#include "kernels/pool.hpp"
#include "layers/common.hpp"

namespace fermap {

nlohmann::json GlobalAveragePooling2D::config() const { return nlohmann::json::object(); }

Shape GlobalAveragePooling2D::build(const Shape& input, Rng&) {
  detail::require_rank(*this, input, 3);
  return {input[2]};
}

void GlobalAveragePooling2D::infer(const Tensor& x, Tensor& y) const {
  detail::require_batch(*this, x);
  y.resize({x.dim(0), x.dim(3)});
  kernels::global_avg_pool_forward(x.dim(0), x.dim(1) * x.dim(2), x.dim(3), x.data(), y.data());
}

void GlobalAveragePooling2D::backward(const Tensor& x, const Tensor&, const Tensor& dy, Tensor* dx) {
  if (!dx) return;
  dx->resize(x.shape());
  kernels::global_avg_pool_backward(x.dim(0), x.dim(1) * x.dim(2), x.dim(3), dy.data(), dx->data());
}

}  // namespace fermap
