// fermap predict IMAGE...: finds the faces in each photo and prints each face's box, emotion and
// class probabilities (or JSON); optionally writes the photo annotated with boxes and labels.
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "fermap/classifier.hpp"
#include "fermap/error.hpp"
#include "fermap/face/bundled_data.hpp"
#include "fermap/face/detector.hpp"
#include "fermap/face/emotion.hpp"
#include "fermap/face/image_io.hpp"
#include "fermap/face/video_emotion.hpp"
#include "interrupt.hpp"

namespace fermap::cli {

namespace {

struct PredictArgs {
  std::vector<std::string> images;
  std::string model, cascade, annotate, video;
  bool no_detect = false, json = false, tta = false;
  double smooth_seconds = 0.5;
  int64_t max_frames = 0;
  int camera = -1;
  int detect_side = 0;  // 0: the detector's default for photos, kVideoDetectSide for video
};

// Video frames are detected on a copy shrunk to this many pixels on its longer side: faces in a
// video are large, and at 640x480 it doubles the frame rate (docs/benchmarks.md).
constexpr int kVideoDetectSide = 320;

void print_face(size_t index, const FaceEmotion& face, const std::vector<std::string>& classes) {
  std::printf("  face %zu at (%d,%d %dx%d): %s %.1f%%  [", index + 1, face.box.x, face.box.y, face.box.width,
              face.box.height, face.emotion.c_str(), 100.0 * face.probability);
  for (size_t c = 0; c < face.probabilities.size() && c < classes.size(); ++c)
    std::printf("%s%s %.1f%%", c ? ", " : "", classes[c].c_str(), 100.0 * face.probabilities[c]);
  std::printf("]\n");
}

// --video / --camera: the smoothed emotion as it changes, frames per second at the end; with --json,
// one JSON object per line for every frame, then one for the whole. A camera runs until Ctrl-C (or
// --max-frames).
void run_video_predict(const PredictArgs& args) {
  const VideoSource source = args.camera >= 0 ? VideoSource::device(args.camera) : VideoSource::file(args.video);
  const Classifier classifier = Classifier::load(find_bundled_file(kDefaultModel, args.model), {.tta = args.tta});
  FaceDetector detector(DetectorOptions{
      .cascade_path = args.cascade, .max_detect_side = args.detect_side > 0 ? args.detect_side : kVideoDetectSide});
  VideoEmotionOptions options;
  options.video.max_frames = args.max_frames;
  options.smoothing.window_seconds = args.smooth_seconds;
  options.annotate_path = args.annotate;
  options.video.stop = &stop_on_interrupt();
  const auto or_null = [](const std::string& emotion) { return emotion.empty() ? nlohmann::json() : nlohmann::json(emotion); };
  std::string last;
  const VideoEmotionSummary s = analyze_video(
      classifier, detector, source, options,
      [&](int64_t frame, double time, const std::vector<FaceEmotion>& faces, const std::string& smoothed) {
        if (args.json) {
          nlohmann::json line = {{"frame", frame}, {"time", time}, {"emotion", or_null(smoothed)}};
          line["faces"] = nlohmann::json::array();
          for (const FaceEmotion& face : faces) line["faces"].push_back(to_json(face, classifier.classes()));
          std::cout << line.dump() << std::endl;  // a line at a time, for a reader following a camera
          return;
        }
        if (smoothed == last) return;
        last = smoothed;
        std::printf("%.2fs (frame %lld): %s, %zu face%s\n", time, static_cast<long long>(frame),
                    smoothed.empty() ? "no face" : smoothed.c_str(), faces.size(), faces.size() == 1 ? "" : "s");
      });
  if (args.json) {
    nlohmann::json summary = {{"source", source.describe()},      {"frames", s.stats.frames},
                              {"frames_with_faces", s.stats.frames_with_faces}, {"frames_per_second", s.stats.fps()},
                              {"mostly", or_null(s.dominant)}};
    if (!args.annotate.empty()) summary["annotated"] = args.annotate;
    std::cout << summary.dump() << std::endl;
    return;
  }
  std::printf("%s: %lld frames, %lld with faces, %.1f frames/s; mostly %s\n", source.describe().c_str(),
              static_cast<long long>(s.stats.frames), static_cast<long long>(s.stats.frames_with_faces), s.stats.fps(),
              s.dominant.empty() ? "no face" : s.dominant.c_str());
  if (!args.annotate.empty()) std::printf("annotated video written to %s\n", args.annotate.c_str());
}

void run_predict(const PredictArgs& args) {
  if (!args.video.empty() && args.camera >= 0) throw ArgumentError("give --video or --camera, not both");
  if (!args.video.empty() || args.camera >= 0) {
    if (!args.images.empty()) throw ArgumentError("give IMAGEs or a video source, not both");
    if (args.no_detect) throw ArgumentError("--no-detect takes each photo as one face crop; video and camera frames need the face detector");
    return run_video_predict(args);
  }
  if (args.images.empty()) throw ArgumentError("give an IMAGE (or --video FILE, or --camera N)");
  if (!args.annotate.empty() && args.images.size() != 1)
    throw ArgumentError("--annotate writes one picture: give exactly one IMAGE");
  const Classifier classifier = Classifier::load(find_bundled_file(kDefaultModel, args.model), {.tta = args.tta});
  std::optional<FaceDetector> detector;
  if (!args.no_detect) {
    DetectorOptions detect{.cascade_path = args.cascade};
    if (args.detect_side > 0) detect.max_detect_side = args.detect_side;
    detector.emplace(detect);
  }
  RecognizeOptions options;
  options.no_detect = args.no_detect;

  nlohmann::json out = nlohmann::json::array();
  for (const std::string& path : args.images) {
    cv::Mat image = load_image(path, {.min_side = kMinFacePhotoSide});
    const std::vector<FaceEmotion> faces =
        recognize_emotions(classifier, detector ? &*detector : nullptr, image, options);
    if (args.json) {
      nlohmann::json entry = {{"image", path}, {"width", image.cols}, {"height", image.rows}};
      entry["faces"] = nlohmann::json::array();
      for (const FaceEmotion& face : faces) entry["faces"].push_back(to_json(face, classifier.classes()));
      out.push_back(entry);
    } else if (faces.empty()) {
      std::printf("no face found in %s\n", path.c_str());
    } else {
      std::printf("%s: %zu face%s\n", path.c_str(), faces.size(), faces.size() == 1 ? "" : "s");
      for (size_t i = 0; i < faces.size(); ++i) print_face(i, faces[i], classifier.classes());
    }
    if (!args.annotate.empty()) {
      annotate_faces(image, to_annotations(faces));
      write_png(args.annotate, image);
      if (!args.json) std::printf("annotated picture written to %s\n", args.annotate.c_str());
    }
  }
  if (args.json) std::cout << out.dump(2) << "\n";
}

}  // namespace

void add_predict_command(CLI::App& app) {
  auto args = std::make_shared<PredictArgs>();
  auto* cmd = app.add_subcommand("predict", "Find the faces in photos and tell each face's emotion");
  cmd->add_option("images", args->images, "Photos (JPEG, PNG, BMP, ...)");
  cmd->add_option("--video", args->video, "A video file: every frame's faces, the emotion smoothed over time");
  cmd->add_option("--camera", args->camera, "A camera by its index (/dev/videoN): live, until Ctrl-C")
      ->check(kNonNegative);
  cmd->add_option("--smooth", args->smooth_seconds, "Video/camera: majority emotion over this many seconds")->check(kPositive);
  cmd->add_option("--max-frames", args->max_frames, "Video/camera: stop after this many frames");
  cmd->add_option("--model", args->model,
                  "Model file (default: data/models/custom_cnn.fmp, looked for from the current folder, "
                  "the executable and the source tree; or $FERMAP_DATA_DIR)");
  cmd->add_option("--cascade", args->cascade, "Haar cascade XML (default: found in opencv-data's folders)");
  cmd->add_option("--detect-side", args->detect_side,
                  "Detect faces on a copy shrunk to this many pixels on its longer side (default: 960 for "
                  "photos, 320 for video and camera)")
      ->check(CLI::Range(64, 8192));
  cmd->add_flag("--no-detect", args->no_detect, "Take each whole image as one face (for face crops)");
  cmd->add_flag("--tta", args->tta, kTtaHelp);
  cmd->add_flag("--json", args->json,
                "Print JSON instead of text (video/camera: one JSON object per line for each frame, then one for the whole)");
  cmd->add_option("--annotate", args->annotate, "Write the photo (PNG) or video (AVI) with boxes and labels");
  cmd->callback([args] { run_predict(*args); });
}

}  // namespace fermap::cli
