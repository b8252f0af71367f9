// fermap/face/video.hpp — runs face detection over every frame of a video file and measures frames/s.
#pragma once

#include <cstdint>
#include <functional>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace fermap {

class FaceDetector;

struct VideoOptions {
  int64_t max_frames = 0;  // stop after this many frames; 0: the whole video
  cv::Size frame_size;     // resize every frame to this before detection; 0x0 keeps the size
};

// What the callback sees for one frame; the references are valid during the call only.
struct VideoFrame {
  int64_t index;                     // 0-based
  double time;                       // seconds from the start, from the container's frame rate
  const cv::Mat& image;              // BGR, after resizing
  const std::vector<cv::Rect>& faces;
};

struct VideoStats {
  int64_t frames = 0;
  int64_t frames_with_faces = 0;
  int64_t faces = 0;
  double seconds = 0;       // wall time of decoding, resizing, detection and callbacks
  double source_fps = 0;    // the container's frame rate (0 when it does not say)
  double fps() const { return seconds > 0 ? static_cast<double>(frames) / seconds : 0.0; }
};

// IoError (naming the file) when the video cannot be opened or has no frame.
VideoStats run_video(const std::string& path, FaceDetector& detector,
                     const std::function<void(const VideoFrame&)>& on_frame = {}, const VideoOptions& options = {});

}  // namespace fermap
