// lib/face/video.cpp — the frame loop: decode, resize, detect, call back, time it all.
#include "fermap/face/video.hpp"

#include <chrono>
#include <filesystem>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <opencv2/videoio/registry.hpp>

#include "fermap/error.hpp"
#include "fermap/face/detector.hpp"

namespace fermap {

VideoStats run_video(const std::string& path, FaceDetector& detector,
                     const std::function<void(const VideoFrame&)>& on_frame, const VideoOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw IoError("cannot open video '" + path + "': no such file");
  // FFmpeg when OpenCV has it: it reads the usual files, and letting OpenCV try every backend on a bad
  // file floods the log (and wakes camera backends that leak).
  const int backend = cv::videoio_registry::hasBackend(cv::CAP_FFMPEG) ? cv::CAP_FFMPEG : cv::CAP_ANY;
  cv::VideoCapture capture(path, backend);
  if (!capture.isOpened()) throw IoError("cannot open video '" + path + "': not a video OpenCV can decode");
  VideoStats stats;
  stats.source_fps = capture.get(cv::CAP_PROP_FPS);
  const double frame_period = stats.source_fps > 0 ? 1.0 / stats.source_fps : 1.0 / 25.0;
  const bool resize = options.frame_size.width > 0 && options.frame_size.height > 0;
  cv::Mat frame, resized;
  const auto start = std::chrono::steady_clock::now();
  while ((options.max_frames <= 0 || stats.frames < options.max_frames) && capture.read(frame)) {
    if (frame.empty()) break;
    if (resize) cv::resize(frame, resized, options.frame_size, 0, 0, cv::INTER_AREA);
    const cv::Mat& image = resize ? resized : frame;
    const std::vector<cv::Rect> faces = detector.detect(image);
    stats.faces += static_cast<int64_t>(faces.size());
    stats.frames_with_faces += faces.empty() ? 0 : 1;
    if (on_frame) on_frame(VideoFrame{stats.frames, static_cast<double>(stats.frames) * frame_period, image, faces});
    ++stats.frames;
  }
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (stats.frames == 0) throw IoError("video '" + path + "' has no frame OpenCV can decode");
  return stats;
}

}  // namespace fermap
