#include "fermap/classifier.hpp"

#include "fermap/error.hpp"
#include "fermap/loss.hpp"

namespace fermap {

void check_classifier_model(const LoadedModel& loaded, const std::string& path) {
  const Shape& in = loaded.model.input_shape();
  const Shape& out = loaded.model.output_shape();
  if (in.rank() != 3 || in[0] != in[1] || in[0] < 1 || in[0] > kMaxClassifierSide || (in[2] != 1 && in[2] != 3))
    throw FormatError(path + ": the model takes inputs " + in.str() + ", not square gray or colour images (S, S, 1 or 3)" +
                      " with S up to " + std::to_string(kMaxClassifierSide) + ": not an image classifier");
  if (out.rank() != 1 || out[0] != static_cast<int>(loaded.meta.classes.size()))
    throw FormatError(path + ": names " + std::to_string(loaded.meta.classes.size()) + " classes but the model gives " +
                      out.str() + " outputs");
  if (loaded.meta.preprocessing.channels != in[2])
    throw FormatError(path + ": preprocessing says " + std::to_string(loaded.meta.preprocessing.channels) +
                      " channels but the model takes " + std::to_string(in[2]));
}

Classifier Classifier::load(const std::string& model_path) {
  LoadedModel loaded = load_model(model_path);
  check_classifier_model(loaded, model_path);
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
