#include "fermap/evaluate.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "fermap/data/augment.hpp"
#include "fermap/data/batch.hpp"
#include "fermap/data/equalize.hpp"
#include "fermap/data/fer2013.hpp"
#include "fermap/error.hpp"
#include "fermap/loss.hpp"

namespace fermap {

namespace {

// x [count, H, W, channels] from images [first, first+count) seen through `view`.
void fill_batch(const Dataset& data, size_t first, size_t count, const AffineDraw& view, const Preprocessing& pre,
                Tensor& x) {
  const int h = data.height, w = data.width, c = pre.channels;
  const size_t pixels = data.image_bytes();
  x.resize({static_cast<int>(count), h, w, c});
#pragma omp parallel
  {
    std::vector<float> warped(view.is_identity() ? 0 : pixels);
    std::vector<uint8_t> equalized(pre.equalize ? pixels : 0);
#pragma omp for schedule(static)
    for (size_t i = 0; i < count; ++i) {
      const uint8_t* src = data.image(first + i);
      if (pre.equalize) {
        equalize_histogram(src, pixels, equalized.data());
        src = equalized.data();
      }
      float* dst = x.data() + i * pixels * static_cast<size_t>(c);
      if (view.is_identity()) {
        write_input_pixels(src, pixels, c, pre.scale, dst);
      } else {
        augment_image(src, h, w, view, warped.data());
        write_input_pixels(warped.data(), pixels, c, pre.scale, dst);
      }
    }
  }
}

}  // namespace

Tensor predict_dataset(const Model& model, const Preprocessing& pre, const Dataset& data, const EvalOptions& options) {
  const Shape& in = model.input_shape();
  if (in[0] != data.height || in[1] != data.width || in[2] != pre.channels)
    throw ShapeError("model input " + in.str() + " does not fit " + std::to_string(data.height) + "x" +
                     std::to_string(data.width) + " images with " + std::to_string(pre.channels) + " channels");
  const int k = model.output_shape()[0];
  const int64_t n = static_cast<int64_t>(data.size());
  Tensor total(Shape{static_cast<int>(n), k});
  const auto all_views = options.tta ? test_time_views() : std::vector<AffineDraw>(1);
  Tensor x, logits, probabilities;
  for (size_t first = 0; first < data.size(); first += static_cast<size_t>(options.batch)) {
    const size_t count = std::min(static_cast<size_t>(options.batch), data.size() - first);
    for (const auto& view : all_views) {
      fill_batch(data, first, count, view, pre, x);
      model.infer(x, logits);
      softmax(logits, probabilities, options.temperature);
      float* out = total.data() + static_cast<int64_t>(first) * k;
      for (int64_t i = 0; i < probabilities.size(); ++i) out[i] += probabilities[i] / static_cast<float>(all_views.size());
    }
    if (options.on_batch) options.on_batch(first + count);
  }
  return total;
}

Evaluation evaluate_probabilities(const Tensor& p, const Dataset& data) {
  const int k = p.dim(1);
  if (static_cast<size_t>(p.dim(0)) != data.size() || static_cast<size_t>(k) != data.class_names.size())
    throw ShapeError("probabilities " + p.shape().str() + " do not fit " + std::to_string(data.size()) + " images of " +
                     std::to_string(data.class_names.size()) + " classes");
  std::vector<int> predictions(data.size());
  double loss = 0.0;
  for (size_t i = 0; i < data.size(); ++i) {
    const float* row = p.data() + static_cast<int64_t>(i) * k;
    predictions[i] = static_cast<int>(std::max_element(row, row + k) - row);
    loss -= std::log(std::max(row[data.labels[i]], 1e-12f));
  }
  Evaluation e;
  e.metrics = compute_metrics(data.labels, predictions, data.class_names);
  e.loss = data.size() ? loss / static_cast<double>(data.size()) : 0.0;
  return e;
}

Tensor predict_ensemble(const std::vector<ModelRef>& models, const Dataset& data, const EvalOptions& options) {
  if (models.empty()) throw ArgumentError("no model to evaluate");
  const float share = 1.0f / static_cast<float>(models.size());
  Tensor average;
  for (const ModelRef& m : models) {
    if (data.class_names != m.meta->classes)
      throw ArgumentError("the model knows classes " + join_class_list(m.meta->classes) + " but the data has " +
                          join_class_list(data.class_names));
    const Tensor p = predict_dataset(*m.model, m.meta->preprocessing, data, options);
    if (average.empty()) average = Tensor(p.shape());
    add_scaled(p, share, average);
  }
  return average;
}

Evaluation evaluate(const std::vector<ModelRef>& models, const Dataset& data, const EvalOptions& options) {
  return evaluate_probabilities(predict_ensemble(models, data, options), data);
}

Evaluation evaluate(const Model& model, const ModelMeta& meta, const Dataset& data, const EvalOptions& options) {
  return evaluate(std::vector<ModelRef>{{&model, &meta}}, data, options);
}

}  // namespace fermap
