// lib/web/analyzer.cpp — decode, detect (with a pooled detector), classify, summarise.
#include "fermap/web/analyzer.hpp"

#include <algorithm>
#include <thread>

#include "web/detector_pool.hpp"

namespace fermap {

Analyzer::Analyzer(Classifier classifier, const AnalyzerOptions& options)
    : classifier_(std::move(classifier)),
      options_(options),
      max_concurrent_(options.max_concurrent > 0 ? options.max_concurrent
                                                 : std::max(1, static_cast<int>(std::thread::hardware_concurrency()))),
      detectors_(std::make_unique<web_detail::DetectorPool>(options.detector, max_concurrent_)) {}

Analyzer::~Analyzer() = default;

Analysis Analyzer::analyze(const std::vector<uint8_t>& bytes, bool no_detect) const {
  const cv::Mat image = decode_image(bytes, "upload", options_.image);
  web_detail::DetectorPool::Lease detector = detectors_->borrow();
  RecognizeOptions recognize;
  recognize.no_detect = no_detect;
  Analysis analysis;
  analysis.width = image.cols;
  analysis.height = image.rows;
  analysis.faces = recognize_emotions(classifier_, &*detector, image, recognize);
  if (!analysis.faces.empty()) analysis.overall = overall_emotion(analysis.faces, classifier_.classes());
  return analysis;
}

nlohmann::json Analyzer::to_json(const Analysis& analysis) const {
  const std::vector<std::string>& classes = classifier_.classes();
  nlohmann::json faces = nlohmann::json::array();
  for (const FaceEmotion& face : analysis.faces) faces.push_back(fermap::to_json(face, classes));
  return {{"width", analysis.width},
          {"height", analysis.height},
          {"classes", classes},
          {"faces", std::move(faces)},
          {"overall", analysis.overall ? fermap::to_json(*analysis.overall, classes) : nlohmann::json(nullptr)}};
}

}  // namespace fermap
