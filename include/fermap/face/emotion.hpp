// fermap/face/emotion.hpp — a photo's faces to emotions with a Classifier: detection (or the whole image),
// 48x48 crops, probabilities per face, the photo's overall emotion, annotations and JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "fermap/classifier.hpp"
#include "fermap/face/annotate.hpp"
#include "fermap/face/crops.hpp"

namespace fermap {

class FaceDetector;

struct FaceEmotion {
  cv::Rect box;
  int label = -1;                   // index into the classifier's classes
  std::string emotion;              // classes()[label]
  float probability = 0;            // probabilities[label]
  std::vector<float> probabilities; // one per class, in classes() order
};

// The smallest photo worth looking for a face in (pass it as ImageLoadOptions::min_side): the Haar
// cascade's window is 24x24, and a smaller crop would be mostly interpolation.
constexpr int kMinFacePhotoSide = 24;

struct RecognizeOptions {
  bool no_detect = false;  // the whole image is one face (it is already a face crop)
  CropOptions crop;
};

// Faces of `image` classified, left to right; empty when no face is found. `detector` may be null
// only with no_detect (else ArgumentError).
std::vector<FaceEmotion> recognize_emotions(const Classifier& classifier, FaceDetector* detector,
                                            const cv::Mat& image, const RecognizeOptions& options = {});

// The crops classified in one batch.
std::vector<FaceEmotion> classify_crops(const Classifier& classifier, const FaceCrops& crops);

// The photo's emotion: probabilities averaged over its faces (each face counts once), the box
// spanning all of them. ArgumentError when `faces` is empty.
FaceEmotion overall_emotion(const std::vector<FaceEmotion>& faces, const std::vector<std::string>& classes);

// {"box": {"x","y","w","h"}, "emotion", "probability", "probabilities": {class: p, ...}}
nlohmann::json to_json(const FaceEmotion& face, const std::vector<std::string>& classes);

// Box and "emotion p%" per face, for annotate_faces.
std::vector<FaceAnnotation> to_annotations(const std::vector<FaceEmotion>& faces);

}  // namespace fermap
