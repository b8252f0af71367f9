#include "fermap/layers/dense.hpp"

#include <algorithm>

#include "kernels/gemm.hpp"
#include "layers/common.hpp"

namespace fermap {

Dense::Dense(const DenseOptions& options) : options_(options) {
  if (options.units <= 0) throw ArgumentError("Dense needs a positive number of units");
  kernel_.l2 = true;
}

nlohmann::json Dense::config() const {
  return {{"units", options_.units},
          {"use_bias", options_.use_bias},
          {"activation", to_string(options_.activation)}};
}

Shape Dense::build(const Shape& input, Rng& rng) {
  detail::require_rank(*this, input, 1);
  kernel_.value.resize({input[0], options_.units});
  kernel_.grad = Tensor(kernel_.value.shape());
  detail::init_kernel(options_.kernel_init, kernel_.value, input[0], options_.units, rng);
  if (options_.use_bias) {
    bias_.value = Tensor({options_.units});
    bias_.grad = Tensor({options_.units});
  }
  return {options_.units};
}

void Dense::infer(const Tensor& x, Tensor& y) const {
  detail::require_batch(*this, x);
  const int n = x.dim(0), in = input_shape()[0], out = options_.units;
  y.resize({n, out});
  kernels::GemmArgs g;
  g.m = n, g.n = out, g.k = in, g.a = x.data(), g.lda = in, g.b = kernel_.value.data(), g.ldb = out;
  g.c = y.data(), g.ldc = out;
  kernels::gemm_parallel(g);
  float* p = y.data();
  const float* b = options_.use_bias ? bias_.value.data() : nullptr;
  const bool relu = options_.activation == Activation::relu;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < out; ++j) {
      float v = p[i * out + j] + (b ? b[j] : 0.0f);
      p[i * out + j] = relu ? std::max(v, 0.0f) : v;
    }
}

void Dense::backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) {
  const int n = x.dim(0), in = input_shape()[0], out = options_.units;
  const Tensor& dz = detail::activation_backward(options_.activation, y, dy, dz_);
  kernels::GemmArgs gw;  // dW[in,out] += x^T dz
  gw.trans_a = true;
  gw.m = in, gw.n = out, gw.k = n, gw.a = x.data(), gw.lda = in, gw.b = dz.data(), gw.ldb = out;
  gw.beta = 1.0f, gw.c = kernel_.grad.data(), gw.ldc = out;
  kernels::gemm_parallel(gw);
  if (options_.use_bias)
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < out; ++j) bias_.grad[j] += dz[static_cast<int64_t>(i) * out + j];
  if (dx) {
    dx->resize(x.shape());
    kernels::GemmArgs gx;  // dx[n,in] = dz W^T
    gx.trans_b = true;
    gx.m = n, gx.n = in, gx.k = out, gx.a = dz.data(), gx.lda = out, gx.b = kernel_.value.data();
    gx.ldb = out, gx.c = dx->data(), gx.ldc = in;
    kernels::gemm_parallel(gx);
  }
}

std::vector<Param*> Dense::params() {
  if (options_.use_bias) return {&kernel_, &bias_};
  return {&kernel_};
}

}  // namespace fermap
