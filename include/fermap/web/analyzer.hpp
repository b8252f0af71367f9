// fermap/web/analyzer.hpp — an uploaded photo's bytes to its faces and emotions, for the web app.
// One loaded model serves every thread (Classifier::predict is const and thread-safe); face
// detectors are pooled, one per concurrent analysis.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fermap/classifier.hpp"
#include "fermap/face/detector.hpp"
#include "fermap/face/emotion.hpp"
#include "fermap/face/image_io.hpp"

namespace fermap {

namespace web_detail {
class DetectorPool;
}

struct AnalyzerOptions {
  DetectorOptions detector = {};
  // Analyses running at once (the rest wait): 0 means the number of hardware threads. Each one
  // runs OpenMP inference, so more than the cores only adds contention.
  int max_concurrent = 0;
  ImageLoadOptions image{.max_side = 8000, .max_pixels = 40'000'000};
};

struct Analysis {
  int width = 0, height = 0;
  std::vector<FaceEmotion> faces;       // left to right; empty when no face was found
  std::optional<FaceEmotion> overall;   // averaged over the faces; none without faces
};

class Analyzer {
 public:
  Analyzer(Classifier classifier, const AnalyzerOptions& options = {});
  ~Analyzer();

  // FormatError when the bytes do not decode as an image (or it is too large). `no_detect` takes
  // the whole image as one face. Thread-safe.
  Analysis analyze(const std::vector<uint8_t>& bytes, bool no_detect = false) const;

  // {"width", "height", "classes", "faces": [to_json(face)...], "overall": to_json(...) | null}
  nlohmann::json to_json(const Analysis& analysis) const;

  const Classifier& classifier() const { return classifier_; }
  int max_concurrent() const { return max_concurrent_; }

 private:
  Classifier classifier_;
  AnalyzerOptions options_;
  int max_concurrent_;
  std::unique_ptr<web_detail::DetectorPool> detectors_;
};

}  // namespace fermap
