// Optimisers (Adam as Keras, AdamW, SGD with momentum/Nesterov) and learning-rate schedules.
// Optimiser state is indexed by the parameter's position in Model::params(), never by address.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "fermap/model.hpp"

namespace fermap {

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  virtual std::string name() const = 0;  // the name make_optimizer() takes for it
  // One update of every trainable parameter from its grad, with learning rate `lr`.
  virtual void step(const std::vector<NamedParam>& params, float lr) = 0;
  // Creates the zeroed state for `params` now (before a resume fills it); step does it otherwise.
  virtual void prepare(const std::vector<NamedParam>& params) = 0;
  // State tensors (moments), named "<param>/<slot>", for checkpoints.
  virtual std::vector<std::pair<std::string, Tensor*>> state_tensors() = 0;
  // Updates taken so far (Adam's bias correction and the schedules depend on it).
  uint64_t steps() const { return t_; }
  void set_steps(uint64_t steps) { t_ = steps; }

 protected:
  uint64_t t_ = 0;
  std::vector<std::string> names_;  // the parameters the state belongs to, in Model::params() order
};

struct AdamOptions {
  float beta1 = 0.9f, beta2 = 0.999f, epsilon = 1e-7f;  // Keras defaults
  // Decoupled weight decay (AdamW, Loshchilov & Hutter): before each update the kernels (params
  // with `l2` set) shrink by w -= lr * weight_decay * w, outside the adaptive scaling, so that
  // every kernel decays at the same rate whatever its gradients' size. 0: plain Adam.
  float weight_decay = 0.0f;
};

// Keras Adam: lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t); w -= lr_t * m / (sqrt(v) + eps);
// with a weight decay, AdamW (PyTorch's order: decay first, with the schedule's lr, not lr_t).
class Adam : public Optimizer {
 public:
  explicit Adam(const AdamOptions& options = {}) : options_(options) {}
  std::string name() const override { return options_.weight_decay > 0.0f ? "adamw" : "adam"; }
  void step(const std::vector<NamedParam>& params, float lr) override;
  void prepare(const std::vector<NamedParam>& params) override;
  std::vector<std::pair<std::string, Tensor*>> state_tensors() override;

 private:
  AdamOptions options_;
  std::vector<Tensor> m_, v_;
};

struct SgdOptions {
  float momentum = 0.9f;
  bool nesterov = false;
};

// Keras SGD: v = momentum*v - lr*g; w += v (plain), or w += momentum*v - lr*g (Nesterov).
class Sgd : public Optimizer {
 public:
  explicit Sgd(const SgdOptions& options = {}) : options_(options) {}
  std::string name() const override { return options_.nesterov ? "nesterov" : "sgd"; }
  void step(const std::vector<NamedParam>& params, float lr) override;
  void prepare(const std::vector<NamedParam>& params) override;
  std::vector<std::pair<std::string, Tensor*>> state_tensors() override;

 private:
  SgdOptions options_;
  std::vector<Tensor> velocity_;
};

// "adam", "adamw" (with `weight_decay`, decoupled), "sgd" (momentum 0.9) or "nesterov"; throws
// ArgumentError otherwise, or for a weight decay with another optimizer than adamw.
std::unique_ptr<Optimizer> make_optimizer(const std::string& name, float weight_decay = 0.0f);

enum class ScheduleKind { constant, step, cosine, one_cycle };

struct ScheduleOptions {
  ScheduleKind kind = ScheduleKind::constant;
  float base_lr = 1e-4f;       // constant/step/cosine: the starting rate; one-cycle: the peak
  int64_t total_steps = 1;     // steps of the whole run
  float step_gamma = 0.1f;     // step: multiply by gamma ...
  int64_t step_every = 1;      // ... every this many steps
  float warmup_fraction = 0.3f;  // one-cycle: share of the run spent rising
  float final_fraction = 1e-3f;  // cosine/one-cycle: final rate = base_lr * this
};

ScheduleKind parse_schedule(const std::string& name);  // constant|step|cosine|one-cycle
std::string to_string(ScheduleKind kind);
// Learning rate at step `t` (0-based).
float learning_rate(const ScheduleOptions& options, int64_t t);

}  // namespace fermap
