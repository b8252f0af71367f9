#include "train/teachers.hpp"

#include "fermap/classifier.hpp"
#include "fermap/data/fer2013.hpp"
#include "fermap/error.hpp"
#include "fermap/evaluate.hpp"
#include "fermap/loss.hpp"
#include "fermap/progress.hpp"
#include "train/fingerprint.hpp"

namespace fermap {

Teachers::Teachers(const std::vector<std::string>& paths, const std::vector<std::string>& classes, const Shape& input,
                   const Preprocessing& preprocessing) {
  Fingerprint files;
  for (const std::string& path : paths) {
    // One read: the checksum describes exactly the weights loaded, even if the file is replaced meanwhile.
    const std::string bytes = read_model_file(path);
    LoadedModel loaded = load_model_from_bytes(bytes, path);
    check_classifier_model(loaded, path);
    if (loaded.meta.classes != classes)
      throw Error(path + ": the teacher's classes are " + join_class_list(loaded.meta.classes) + ", the student's are " +
                  join_class_list(classes) + "; a teacher needs the same classes");
    if (loaded.model.input_shape() != input || loaded.meta.preprocessing != preprocessing)
      throw Error(path + ": the teacher takes inputs " + loaded.model.input_shape().str() + ", the student " + input.str() +
                  " (or they scale or equalise pixels differently); a teacher must take the student's batches as they are");
    models_.push_back(std::move(loaded.model));
    files.add(bytes);
  }
  if (!paths.empty()) fingerprint_ = files.hex();
  preprocessing_ = preprocessing;
}

void Teachers::probabilities(const Tensor& x, float temperature, Tensor& out) {
  const float share = 1.0f / static_cast<float>(models_.size());
  for (size_t t = 0; t < models_.size(); ++t) {
    models_[t].infer(x, logits_);
    softmax(logits_, one_, temperature);
    if (t == 0) {
      out.resize(one_.shape());
      out.zero();
    }
    add_scaled(one_, share, out);
  }
}

Tensor Teachers::probabilities(const Dataset& data, bool tta, float temperature) const {
  EvalOptions options;
  options.tta = tta;
  options.temperature = temperature;
  const int64_t n = static_cast<int64_t>(data.size());
  Progress bar("teacher targets", n * static_cast<int64_t>(models_.size()));
  Tensor mean;
  for (size_t t = 0; t < models_.size(); ++t) {
    options.on_batch = [&](size_t done) { bar.update(static_cast<int64_t>(t) * n + static_cast<int64_t>(done)); };
    const Tensor one = predict_dataset(models_[t], preprocessing_, data, options);
    if (mean.empty()) mean = Tensor(one.shape());
    add_scaled(one, 1.0f / static_cast<float>(models_.size()), mean);
  }
  bar.finish();
  return mean;
}

}  // namespace fermap
