#include "fermap/face/video_emotion.hpp"

#include <algorithm>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "fermap/error.hpp"
#include "fermap/face/annotate.hpp"
#include "fermap/face/crops.hpp"

namespace fermap {

VideoEmotionSummary analyze_video(const Classifier& classifier, FaceDetector& detector, const VideoSource& source,
                                  const VideoEmotionOptions& options, const VideoEmotionCallback& on_frame) {
  EmotionSmoother smoother(options.smoothing);
  VideoEmotionSummary summary;
  cv::VideoWriter writer;
  auto each = [&](const VideoFrame& frame) {
    const FaceCrops crops = face_crops(frame.image, frame.faces);
    const std::vector<FaceEmotion> faces = classify_crops(classifier, crops);
    if (faces.empty())
      smoother.advance(frame.time);
    else
      smoother.add(frame.time, overall_emotion(faces, classifier.classes()).emotion);
    const std::string smoothed = smoother.current();
    ++summary.smoothed_frames[smoothed];
    if (!options.annotate_path.empty()) {
      if (!writer.isOpened()) {
        const double fps = frame.source_fps > 0 ? frame.source_fps : 25.0;
        writer.open(options.annotate_path, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), fps, frame.image.size());
        if (!writer.isOpened()) throw IoError(options.annotate_path + ": cannot write the annotated video");
      }
      cv::Mat out = frame.image.clone();
      annotate_faces(out, to_annotations(faces));
      cv::putText(out, smoothed.empty() ? "no face" : smoothed, {10, 28}, cv::FONT_HERSHEY_SIMPLEX, 0.9,
                  cv::Scalar(40, 220, 40), 2, cv::LINE_AA);
      writer.write(out);
    }
    if (on_frame) on_frame(frame.index, frame.time, faces, smoothed);
  };
  summary.stats = run_video(source, detector, each, options.video);
  int64_t best = -1;
  for (const auto& [emotion, frames] : summary.smoothed_frames)
    if (!emotion.empty() && frames > best) best = frames, summary.dominant = emotion;
  return summary;
}

}  // namespace fermap
