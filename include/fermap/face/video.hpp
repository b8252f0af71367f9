// fermap/face/video.hpp — runs face detection over every frame of a video file or a camera and
// measures frames/s.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace fermap {

class FaceDetector;

// Where the frames come from: a video file, or a camera by its index (/dev/videoN on Linux).
struct VideoSource {
  std::string path;  // used when camera < 0
  int camera = -1;

  static VideoSource file(std::string path) { return {std::move(path), -1}; }
  static VideoSource device(int index) { return {{}, index}; }
  bool is_camera() const { return camera >= 0; }
  std::string describe() const;  // "video 'clip.avi'" or "camera 0", for messages
};

struct VideoOptions {
  int64_t max_frames = 0;                   // stop after this many frames; 0: until the source ends
  cv::Size frame_size;                      // resize every frame to this before detection; 0x0 keeps the size
  const std::atomic<bool>* stop = nullptr;  // set (e.g. by a signal handler) to stop after the current frame
};

// What the callback sees for one frame; the references are valid during the call only.
struct VideoFrame {
  int64_t index;                     // 0-based
  double time;                       // seconds from the start: the container's frame times, a camera's wall clock
  double source_fps;                 // the source's frame rate (0 when it does not say)
  const cv::Mat& image;              // BGR, after resizing
  const std::vector<cv::Rect>& faces;
};

struct VideoStats {
  int64_t frames = 0;
  int64_t frames_with_faces = 0;
  int64_t faces = 0;
  double seconds = 0;       // wall time of decoding, resizing, detection and callbacks
  double source_fps = 0;    // the container's or camera's frame rate (0 when it does not say)
  double fps() const { return seconds > 0 ? static_cast<double>(frames) / seconds : 0.0; }
};

// IoError (naming the file or camera) when the source cannot be opened or gives no frame.
VideoStats run_video(const VideoSource& source, FaceDetector& detector,
                     const std::function<void(const VideoFrame&)>& on_frame = {}, const VideoOptions& options = {});

}  // namespace fermap
