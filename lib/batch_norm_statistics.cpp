#include "fermap/batch_norm_statistics.hpp"

#include <algorithm>
#include <string>

#include "fermap/data/batch.hpp"
#include "fermap/error.hpp"
#include "fermap/layers/batch_norm.hpp"

namespace fermap {

BatchNormMomentumScope::BatchNormMomentumScope(Model& model) {
  for (Layer* layer : model.all_layers())
    if (auto* bn = dynamic_cast<BatchNormalization*>(layer)) layers_.emplace_back(bn, bn->momentum());
}

BatchNormMomentumScope::~BatchNormMomentumScope() {
  for (auto& [bn, momentum] : layers_) bn->set_momentum(momentum);
}

void BatchNormMomentumScope::set(float momentum) {
  for (auto& layer : layers_) layer.first->set_momentum(momentum);
}

size_t recompute_batch_norm_statistics(Model& model, const Preprocessing& pre, const Dataset& data,
                                       const BatchNormStatisticsOptions& options) {
  // A model without batch-norm has nothing to recompute, whatever the data.
  BatchNormAverager averager(model);
  if (averager.empty()) return 0;
  // A batch of one image has no variance to measure.
  if (data.size() < 2) throw ArgumentError("batch-norm statistics: they need at least 2 images, the data has " + std::to_string(data.size()));
  if (options.batch < 2) throw ArgumentError("batch-norm statistics: a batch needs at least 2 images");
  const std::vector<EpochItem> plan = plan_epoch(data, Balance::none, false, options.seed, options.epoch);
  BatchOptions bo;
  bo.scale = pre.scale;
  bo.channels = pre.channels;
  bo.equalize = pre.equalize;
  const size_t batch = static_cast<size_t>(options.batch);
  // A last batch smaller than 2 would give a zero variance: it is left out.
  size_t used = 0;
  Tensor x, logits;
  std::vector<int> labels;
  for (int k = 0; plan.size() - used >= 2 && (options.batches == 0 || k < options.batches); ++k) {
    const size_t count = std::min(batch, plan.size() - used);
    make_batch(data, plan.data() + used, count, bo, x, labels);
    averager.next();
    model.update_statistics(x, logits);
    used += count;
  }
  return used;
}

}  // namespace fermap
