#include "fermap/classifier.hpp"

#include <vector>

#include "fermap/data/augment.hpp"
#include "fermap/data/batch.hpp"
#include "fermap/data/equalize.hpp"
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

Classifier Classifier::load(const std::string& model_path, const ClassifierOptions& options) {
  LoadedModel loaded = load_model(model_path);
  check_classifier_model(loaded, model_path);
  return Classifier(std::move(loaded.model), std::move(loaded.meta), options);
}

Classifier::Classifier(Model model, ModelMeta meta, const ClassifierOptions& options)
    : model_(std::move(model)), meta_(std::move(meta)), options_(options) {}

Tensor Classifier::predict(const Tensor& faces) const {
  const Shape& in = model_.input_shape();
  if (faces.shape().rank() != 4 || faces.dim(1) != in[0] || faces.dim(2) != in[1] || faces.dim(3) != 1)
    throw ShapeError("classifier expects gray faces [N, " + std::to_string(in[0]) + ", " + std::to_string(in[1]) +
                     ", 1], got " + faces.shape().str());
  const int n = faces.dim(0), side = in[0], channels = in[2];
  const int64_t pixels = static_cast<int64_t>(side) * side;
  const std::vector<AffineDraw> views = options_.tta ? test_time_views() : std::vector<AffineDraw>(1);
  // One batch per view, so that memory does not grow with the number of views.
  Tensor x(Shape{n, side, side, channels}), logits, probabilities, mean;
  std::vector<float> view_pixels(static_cast<size_t>(pixels));
  const float scale = meta_.preprocessing.scale;
  const bool equalize = meta_.preprocessing.equalize;
  // Equalised once per face, not once per view.
  std::vector<float> equalized(equalize ? static_cast<size_t>(n * pixels) : 0);
  for (int i = 0; equalize && i < n; ++i)
    equalize_histogram(faces.data() + i * pixels, static_cast<size_t>(pixels), equalized.data() + i * pixels);
  const float* all_faces = equalize ? equalized.data() : faces.data();
  for (const AffineDraw& view : views) {
    for (int i = 0; i < n; ++i) {
      const float* face = all_faces + i * pixels;
      if (!view.is_identity()) {
        augment_image(face, side, side, view, view_pixels.data());
        face = view_pixels.data();
      }
      write_input_pixels(face, static_cast<size_t>(pixels), channels, scale, x.data() + i * pixels * channels);
    }
    model_.infer(x, logits);
    softmax(logits, probabilities);
    if (views.size() == 1) return probabilities;
    if (mean.empty()) mean = Tensor(probabilities.shape());
    add_scaled(probabilities, 1.0f / static_cast<float>(views.size()), mean);
  }
  return mean;
}

}  // namespace fermap
