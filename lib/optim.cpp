#include "fermap/optim.hpp"

#include <cmath>

#include "fermap/error.hpp"
#include "kernels/denormals.hpp"
#include "kernels/parallel.hpp"

namespace fermap {

namespace {
// Allocates one zeroed state tensor per trainable param on first use; checks the model did not
// change underneath (a different parameter list means a different model).
void ensure_slots(const std::vector<NamedParam>& params, std::vector<std::string>& names,
                  std::vector<Tensor>& a, std::vector<Tensor>* b) {
  if (!names.empty()) {
    if (names.size() != params.size()) throw Error("optimizer used with a different model");
    return;
  }
  for (const auto& p : params) {
    names.push_back(p.name);
    a.emplace_back(p.param->trainable ? p.param->value.shape() : Shape{});
    if (b) b->emplace_back(p.param->trainable ? p.param->value.shape() : Shape{});
  }
}
}  // namespace

void Adam::prepare(const std::vector<NamedParam>& params) { ensure_slots(params, names_, m_, &v_); }

void Adam::step(const std::vector<NamedParam>& params, float lr) {
  prepare(params);
  const kernels::FlushDenormals flush;
  ++t_;
  const double b1 = options_.beta1, b2 = options_.beta2;
  const float lr_t = static_cast<float>(lr * std::sqrt(1.0 - std::pow(b2, static_cast<double>(t_))) /
                                        (1.0 - std::pow(b1, static_cast<double>(t_))));
  const float beta1 = options_.beta1, beta2 = options_.beta2, eps = options_.epsilon;
  for (size_t i = 0; i < params.size(); ++i) {
    Param& p = *params[i].param;
    if (!p.trainable) continue;
    float* w = p.value.data();
    const float* g = p.grad.data();
    float* m = m_[i].data();
    float* v = v_[i].data();
    const int64_t n = p.value.size();
    const float keep = p.l2 ? 1.0f - lr * options_.weight_decay : 1.0f;
#pragma omp parallel for simd schedule(static) if (n >= fermap::kernels::kParallelMinElements)
    for (int64_t j = 0; j < n; ++j) {
      m[j] = beta1 * m[j] + (1.0f - beta1) * g[j];
      v[j] = beta2 * v[j] + (1.0f - beta2) * g[j] * g[j];
      w[j] = keep * w[j] - lr_t * m[j] / (std::sqrt(v[j]) + eps);
    }
  }
}

std::vector<std::pair<std::string, Tensor*>> Adam::state_tensors() {
  std::vector<std::pair<std::string, Tensor*>> out;
  for (size_t i = 0; i < names_.size(); ++i) {
    if (m_[i].empty()) continue;
    out.emplace_back(names_[i] + "/m", &m_[i]);
    out.emplace_back(names_[i] + "/v", &v_[i]);
  }
  return out;
}

void Sgd::prepare(const std::vector<NamedParam>& params) { ensure_slots(params, names_, velocity_, nullptr); }

void Sgd::step(const std::vector<NamedParam>& params, float lr) {
  prepare(params);
  const kernels::FlushDenormals flush;
  ++t_;
  const float mu = options_.momentum;
  const bool nesterov = options_.nesterov;
  for (size_t i = 0; i < params.size(); ++i) {
    Param& p = *params[i].param;
    if (!p.trainable) continue;
    float* w = p.value.data();
    const float* g = p.grad.data();
    float* vel = velocity_[i].data();
    const int64_t n = p.value.size();
#pragma omp parallel for simd schedule(static) if (n >= fermap::kernels::kParallelMinElements)
    for (int64_t j = 0; j < n; ++j) {
      vel[j] = mu * vel[j] - lr * g[j];
      w[j] += nesterov ? mu * vel[j] - lr * g[j] : vel[j];
    }
  }
}

std::vector<std::pair<std::string, Tensor*>> Sgd::state_tensors() {
  std::vector<std::pair<std::string, Tensor*>> out;
  for (size_t i = 0; i < names_.size(); ++i)
    if (!velocity_[i].empty()) out.emplace_back(names_[i] + "/velocity", &velocity_[i]);
  return out;
}

std::unique_ptr<Optimizer> make_optimizer(const std::string& name, float weight_decay) {
  if (!(weight_decay >= 0.0f && std::isfinite(weight_decay)))
    throw ArgumentError("the weight decay must be finite and >= 0");
  if (weight_decay > 0.0f && name != "adamw")
    throw ArgumentError("a decoupled weight decay needs the adamw optimizer, not " + name + " (for " + name + " use --l2)");
  if (name == "adam") return std::make_unique<Adam>();
  if (name == "adamw") {
    AdamOptions options;
    options.weight_decay = weight_decay;
    return std::make_unique<Adam>(options);
  }
  if (name == "sgd") return std::make_unique<Sgd>();
  if (name == "nesterov") return std::make_unique<Sgd>(SgdOptions{0.9f, true});
  throw ArgumentError("unknown optimizer \"" + name + "\" (expected adam, adamw, sgd or nesterov)");
}

ScheduleKind parse_schedule(const std::string& name) {
  if (name == "constant") return ScheduleKind::constant;
  if (name == "step") return ScheduleKind::step;
  if (name == "cosine") return ScheduleKind::cosine;
  if (name == "one-cycle" || name == "onecycle") return ScheduleKind::one_cycle;
  throw ArgumentError("unknown schedule \"" + name + "\" (expected constant, step, cosine or one-cycle)");
}

std::string to_string(ScheduleKind kind) {
  switch (kind) {
    case ScheduleKind::constant: return "constant";
    case ScheduleKind::step: return "step";
    case ScheduleKind::cosine: return "cosine";
    case ScheduleKind::one_cycle: return "one-cycle";
  }
  return "constant";
}

float learning_rate(const ScheduleOptions& o, int64_t t) {
  const double total = static_cast<double>(std::max<int64_t>(o.total_steps, 1));
  const double progress = std::min(static_cast<double>(t) / total, 1.0);
  const double lo = o.base_lr * o.final_fraction;
  const double pi = 3.14159265358979323846;
  switch (o.kind) {
    case ScheduleKind::constant:
      return o.base_lr;
    case ScheduleKind::step:
      return static_cast<float>(o.base_lr * std::pow(o.step_gamma, static_cast<double>(t / std::max<int64_t>(o.step_every, 1))));
    case ScheduleKind::cosine:
      return static_cast<float>(lo + (o.base_lr - lo) * 0.5 * (1.0 + std::cos(pi * progress)));
    case ScheduleKind::one_cycle: {
      // Rise from base/25 to the peak over the warm-up (cosine), then anneal to the final rate.
      const double start = o.base_lr / 25.0, warm = std::max(static_cast<double>(o.warmup_fraction), 1e-9);
      if (progress < warm)
        return static_cast<float>(start + (o.base_lr - start) * 0.5 * (1.0 - std::cos(pi * progress / warm)));
      const double q = (progress - warm) / std::max(1.0 - warm, 1e-9);
      return static_cast<float>(lo + (o.base_lr - lo) * 0.5 * (1.0 + std::cos(pi * q)));
    }
  }
  return o.base_lr;
}

}  // namespace fermap
