// lib/face/emotion.cpp — detection + crops + one batched predict; averaging and JSON.
#include "fermap/face/emotion.hpp"

#include <algorithm>
#include <cmath>

#include "fermap/error.hpp"
#include "fermap/face/detector.hpp"

namespace fermap {

namespace {

double round6(float v) { return std::round(static_cast<double>(v) * 1e6) / 1e6; }

FaceEmotion from_probabilities(const cv::Rect& box, std::vector<float> probabilities,
                               const std::vector<std::string>& classes) {
  FaceEmotion face;
  face.box = box;
  face.label = static_cast<int>(std::max_element(probabilities.begin(), probabilities.end()) - probabilities.begin());
  face.probability = probabilities[static_cast<size_t>(face.label)];
  face.emotion = static_cast<size_t>(face.label) < classes.size() ? classes[static_cast<size_t>(face.label)]
                                                                   : "class " + std::to_string(face.label);
  face.probabilities = std::move(probabilities);
  return face;
}

}  // namespace

std::vector<FaceEmotion> classify_crops(const Classifier& classifier, const FaceCrops& crops) {
  std::vector<FaceEmotion> faces;
  if (crops.count() == 0) return faces;
  const Tensor probs = classifier.predict(crops.tensor);
  const int k = probs.dim(1);
  for (size_t n = 0; n < crops.count(); ++n) {
    const float* row = probs.data() + static_cast<int64_t>(n) * k;
    faces.push_back(from_probabilities(crops.boxes[n], std::vector<float>(row, row + k), classifier.classes()));
  }
  return faces;
}

std::vector<FaceEmotion> recognize_emotions(const Classifier& classifier, FaceDetector* detector,
                                            const cv::Mat& image, const RecognizeOptions& options) {
  if (options.no_detect) return classify_crops(classifier, whole_image_crop(image, options.crop));
  if (!detector) throw ArgumentError("recognize_emotions: no face detector given (and no_detect is off)");
  return classify_crops(classifier, detect_faces(*detector, image, options.crop));
}

FaceEmotion overall_emotion(const std::vector<FaceEmotion>& faces, const std::vector<std::string>& classes) {
  if (faces.empty()) throw ArgumentError("overall_emotion: no faces");
  std::vector<float> mean(faces.front().probabilities.size(), 0.0f);
  cv::Rect span = faces.front().box;
  for (const FaceEmotion& face : faces) {
    if (face.probabilities.size() != mean.size()) throw ArgumentError("overall_emotion: faces disagree on class count");
    for (size_t c = 0; c < mean.size(); ++c) mean[c] += face.probabilities[c] / static_cast<float>(faces.size());
    span |= face.box;
  }
  return from_probabilities(span, std::move(mean), classes);
}

nlohmann::json to_json(const FaceEmotion& face, const std::vector<std::string>& classes) {
  nlohmann::json probabilities = nlohmann::json::object();
  for (size_t c = 0; c < face.probabilities.size(); ++c)
    probabilities[c < classes.size() ? classes[c] : "class " + std::to_string(c)] = round6(face.probabilities[c]);
  return {{"box", {{"x", face.box.x}, {"y", face.box.y}, {"w", face.box.width}, {"h", face.box.height}}},
          {"emotion", face.emotion},
          {"probability", round6(face.probability)},
          {"probabilities", probabilities}};
}

std::vector<FaceAnnotation> to_annotations(const std::vector<FaceEmotion>& faces) {
  std::vector<FaceAnnotation> out;
  for (const FaceEmotion& face : faces) out.push_back({face.box, face.emotion, face.probability});
  return out;
}

}  // namespace fermap
