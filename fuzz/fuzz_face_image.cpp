// libFuzzer target: the path from an encoded photo to the classifier's input — decode_image (size
// checks, PNG/JPEG structure checks, OpenCV's decoders), face detection, 48x48 crops, the tensor,
// one prediction with the corpus' tiny model. Every rejection must be a fermap::Error; any other
// exception (a cv::Exception), a crash, a sanitizer report or a non-finite probability is a finding.
#include <cmath>
#include <cstdint>
#include <vector>

#include "fermap/classifier.hpp"
#include "fermap/error.hpp"
#include "fermap/face/crops.hpp"
#include "fermap/face/detector.hpp"
#include "fermap/face/image_io.hpp"

namespace {

void classify(const fermap::Classifier& classifier, const fermap::FaceCrops& crops) {
  if (crops.count() == 0) return;
  const fermap::Tensor p = classifier.predict(crops.tensor);
  for (int64_t i = 0; i < p.size(); ++i)
    if (!std::isfinite(p[i])) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fermap::Classifier classifier =
      fermap::Classifier::load(FERMAP_SOURCE_DIR "/tests/fixtures/bad/models/tiny.fmp");
  static fermap::FaceDetector detector;
  fermap::ImageLoadOptions options;
  options.max_pixels = 256 * 256;  // larger pictures only slow the fuzzer down; the limit is what is tested
  try {
    const cv::Mat image = fermap::decode_image(std::vector<uint8_t>(data, data + size), "fuzz.img", options);
    classify(classifier, fermap::whole_image_crop(image));
    classify(classifier, fermap::detect_faces(detector, image));
  } catch (const fermap::Error&) {
  }
  return 0;
}
