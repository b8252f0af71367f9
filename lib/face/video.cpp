// lib/face/video.cpp — the frame loop: decode, resize, detect, call back, time it all.
#include "fermap/face/video.hpp"

#include <chrono>
#include <filesystem>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <opencv2/videoio/registry.hpp>

#include "fermap/error.hpp"
#include "fermap/face/detector.hpp"

namespace fermap {

std::string VideoSource::describe() const {
  return is_camera() ? "camera " + std::to_string(camera) : "video '" + path + "'";
}

namespace {

cv::VideoCapture open_capture(const VideoSource& source) {
  if (source.is_camera()) {
    // V4L2 directly: CAP_ANY would also try GStreamer pipelines, which log at length before failing.
    const int backend = cv::videoio_registry::hasBackend(cv::CAP_V4L2) ? cv::CAP_V4L2 : cv::CAP_ANY;
    // OpenCV's own warning on failure would only repeat, less clearly, the error below.
    const cv::utils::logging::LogLevel level = cv::utils::logging::getLogLevel();
    cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
    cv::VideoCapture capture(source.camera, backend);
    cv::utils::logging::setLogLevel(level);
    if (!capture.isOpened())
      throw IoError("cannot open " + source.describe() + ": no such device, or it is busy (/dev/video" +
                    std::to_string(source.camera) + ")");
    return capture;
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(source.path, ec))
    throw IoError("cannot open " + source.describe() + ": no such file");
  // FFmpeg when OpenCV has it: it reads the usual files, and letting OpenCV try every backend on a bad
  // file floods the log (and wakes camera backends that leak).
  const int backend = cv::videoio_registry::hasBackend(cv::CAP_FFMPEG) ? cv::CAP_FFMPEG : cv::CAP_ANY;
  cv::VideoCapture capture(source.path, backend);
  if (!capture.isOpened()) throw IoError("cannot open " + source.describe() + ": not a video OpenCV can decode");
  return capture;
}

}  // namespace

VideoStats run_video(const VideoSource& source, FaceDetector& detector,
                     const std::function<void(const VideoFrame&)>& on_frame, const VideoOptions& options) {
  cv::VideoCapture capture = open_capture(source);
  VideoStats stats;
  stats.source_fps = capture.get(cv::CAP_PROP_FPS);
  const double frame_period = stats.source_fps > 0 ? 1.0 / stats.source_fps : 1.0 / 25.0;
  const bool resize = options.frame_size.width > 0 && options.frame_size.height > 0;
  cv::Mat frame, resized;
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  while ((options.max_frames <= 0 || stats.frames < options.max_frames) &&
         !(options.stop && options.stop->load()) && capture.read(frame)) {
    if (frame.empty()) break;
    if (resize) cv::resize(frame, resized, options.frame_size, 0, 0, cv::INTER_AREA);
    const cv::Mat& image = resize ? resized : frame;
    const std::vector<cv::Rect> faces = detector.detect(image);
    stats.faces += static_cast<int64_t>(faces.size());
    stats.frames_with_faces += faces.empty() ? 0 : 1;
    // A file's frames are timed by its frame rate (replayable); a camera's by when they arrived.
    const double time = source.is_camera() ? elapsed() : static_cast<double>(stats.frames) * frame_period;
    if (on_frame) on_frame(VideoFrame{stats.frames, time, stats.source_fps, image, faces});
    ++stats.frames;
  }
  stats.seconds = elapsed();
  if (stats.frames == 0 && !(options.stop && options.stop->load()))
    throw IoError(source.describe() + " gave no frame OpenCV can decode");
  return stats;
}

}  // namespace fermap
