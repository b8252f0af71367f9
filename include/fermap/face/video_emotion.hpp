// fermap/face/video_emotion.hpp — emotions over a video or a camera: faces per frame, classified, the
// frame's emotion smoothed over time, optionally written out as an annotated video.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "fermap/classifier.hpp"
#include "fermap/face/emotion.hpp"
#include "fermap/face/smoother.hpp"
#include "fermap/face/video.hpp"

namespace fermap {

struct VideoEmotionOptions {
  VideoOptions video;
  SmootherOptions smoothing;
  std::string annotate_path;  // write an annotated video here (MJPG in AVI); empty: none
};

struct VideoEmotionSummary {
  VideoStats stats;
  std::map<std::string, int64_t> smoothed_frames;  // frames per smoothed emotion ("" = no face yet)
  std::string dominant;                            // the smoothed emotion held for most frames
};

// Called per frame with the faces found and the smoothed emotion (empty while no face was seen
// in the smoothing window).
using VideoEmotionCallback =
    std::function<void(int64_t frame, double time, const std::vector<FaceEmotion>& faces, const std::string& smoothed)>;

// IoError naming the file or camera when the source cannot be read or the annotated video cannot be written.
VideoEmotionSummary analyze_video(const Classifier& classifier, FaceDetector& detector, const VideoSource& source,
                                  const VideoEmotionOptions& options = {}, const VideoEmotionCallback& on_frame = {});

}  // namespace fermap
