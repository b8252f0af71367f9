#include "fermap/classifier.hpp"

#include "fermap/error.hpp"
#include "fermap/loss.hpp"

namespace fermap {

Classifier Classifier::load(const std::string& model_path) {
  LoadedModel loaded = load_model(model_path);
  if (static_cast<int>(loaded.meta.classes.size()) != loaded.model.output_shape()[0])
    throw FormatError(model_path + ": names " + std::to_string(loaded.meta.classes.size()) +
                      " classes but the model has " + std::to_string(loaded.model.output_shape()[0]) + " outputs");
  return Classifier(std::move(loaded.model), std::move(loaded.meta));
}

Classifier::Classifier(Model model, ModelMeta meta) : model_(std::move(model)), meta_(std::move(meta)) {}

Tensor Classifier::predict(const Tensor& faces) const {
  const Shape& in = model_.input_shape();
  if (faces.shape().rank() != 4 || faces.dim(1) != in[0] || faces.dim(2) != in[1] || faces.dim(3) != 1)
    throw ShapeError("classifier expects gray faces [N, " + std::to_string(in[0]) + ", " + std::to_string(in[1]) +
                     ", 1], got " + faces.shape().str());
  const int channels = in[2];
  Tensor x(Shape{faces.dim(0), in[0], in[1], channels});
  const float scale = meta_.preprocessing.scale;
  for (int64_t i = 0; i < faces.size(); ++i)
    for (int c = 0; c < channels; ++c) x[i * channels + c] = faces[i] * scale;
  Tensor logits, probabilities;
  model_.infer(x, logits);
  softmax(logits, probabilities);
  return probabilities;
}

}  // namespace fermap
