// Tests for the emotion smoother (pure) and the video frame loop (on opencv-doc's Megamind.avi).
#include <catch2/catch.hpp>

#include "fermap/error.hpp"
#include "fermap/face/detector.hpp"
#include "fermap/face/smoother.hpp"
#include "fermap/face/video.hpp"
#include "fermap/face/video_emotion.hpp"

#include <atomic>
#include <opencv2/videoio.hpp>
#include "test_face_support.hpp"

using namespace fermap;

TEST_CASE("the smoother returns the majority of the last half second", "[face][smoother]") {
  EmotionSmoother s;
  CHECK(s.current().empty());
  CHECK(s.add(0.00, "happy") == "happy");
  CHECK(s.add(0.04, "sad") == "sad");  // tie 1-1: the latest wins
  CHECK(s.add(0.08, "happy") == "happy");
  CHECK(s.add(0.12, "sad") == "sad");
  CHECK(s.add(0.16, "sad") == "sad");
  CHECK(s.add(0.20, "angry") == "sad");  // a single flicker does not change it
  CHECK(s.window_size() == 6);
  // By 0.62 everything up to 0.12 has left the window: sad (0.16), angry (0.20), angry x2.
  s.add(0.60, "angry");
  CHECK(s.add(0.62, "angry") == "angry");
  CHECK(s.window_size() == 4);
}

TEST_CASE("frames without a face age the window, time may not go back", "[face][smoother]") {
  EmotionSmoother s(SmootherOptions{.window_seconds = 1.0});
  s.add(0.0, "neutral");
  s.advance(0.5);
  CHECK(s.current() == "neutral");
  s.advance(1.0);
  CHECK(s.current().empty());
  CHECK_THROWS_AS(s.advance(0.9), ArgumentError);
  s.clear();
  CHECK(s.add(0.0, "sad") == "sad");
  CHECK_THROWS_AS(EmotionSmoother(SmootherOptions{.window_seconds = 0}), ArgumentError);
}

TEST_CASE("the video loop visits every frame and finds faces in Megamind.avi", "[face][video]") {
  FERMAP_REQUIRE_MEDIA(path, "Megamind.avi");
  FaceDetector detector;
  VideoOptions options;
  options.max_frames = 12;
  options.frame_size = cv::Size(320, 240);
  int64_t seen = 0;
  double last_time = -1;
  const VideoStats stats = run_video(
      VideoSource::file(path), detector,
      [&](const VideoFrame& f) {
        CHECK(f.index == seen++);
        CHECK(f.time > last_time);
        last_time = f.time;
        CHECK(f.image.size() == cv::Size(320, 240));
      },
      options);
  CHECK(stats.frames == 12);
  CHECK(seen == 12);
  CHECK(stats.frames_with_faces >= 6);
  CHECK(stats.source_fps == Approx(23.976).margin(0.01));
  CHECK(stats.fps() > 0);
}

TEST_CASE("a missing or non-video file is an IoError naming it", "[face][video]") {
  FaceDetector detector;
  CHECK_THROWS_WITH(run_video(VideoSource::file("/nonexistent/clip.avi"), detector),
                    Catch::Matchers::Contains("/nonexistent/clip.avi"));
  const std::string junk = test::write_face_temp("junk.avi", "not a video at all");
  CHECK_THROWS_AS(run_video(VideoSource::file(junk), detector), IoError);
}

TEST_CASE("a camera that is not there is an IoError naming it", "[face][video]") {
  FaceDetector detector;
  // Index 63 is past any camera a test machine has; OpenCV's V4L2 backend knows indices < 64.
  CHECK_THROWS_WITH(run_video(VideoSource::device(63), detector), Catch::Matchers::Contains("camera 63"));
  CHECK(VideoSource::device(2).describe() == "camera 2");
  CHECK(VideoSource::file("a.avi").describe() == "video 'a.avi'");
}

TEST_CASE("the stop flag ends the frame loop after the current frame", "[face][video]") {
  FERMAP_REQUIRE_MEDIA(path, "vtest.avi");
  FaceDetector detector;
  std::atomic<bool> stop{false};
  VideoOptions options;
  options.stop = &stop;
  options.frame_size = cv::Size(160, 120);
  const VideoStats stats = run_video(
      VideoSource::file(path), detector, [&](const VideoFrame& f) { if (f.index == 4) stop = true; }, options);
  CHECK(stats.frames == 5);
}

TEST_CASE("a video without faces (vtest.avi, pedestrians from afar) gives none", "[face][video]") {
  FERMAP_REQUIRE_MEDIA(path, "vtest.avi");
  FaceDetector detector;
  VideoOptions options;
  options.max_frames = 20;
  const VideoStats stats = run_video(VideoSource::file(path), detector, {}, options);
  CHECK(stats.frames == 20);
  CHECK(stats.faces == 0);
}

namespace fermap::test {
std::string untrained_model();  // test_face_emotion.cpp
}  // namespace fermap::test

TEST_CASE("analyze_video classifies faces, smooths the emotion and writes an annotated video", "[face][video]") {
  FERMAP_REQUIRE_MEDIA(path, "Megamind.avi");
  const Classifier classifier = Classifier::load(test::untrained_model());
  FaceDetector detector;
  VideoEmotionOptions options;
  options.video.max_frames = 10;
  options.video.frame_size = cv::Size(320, 240);
  options.annotate_path = test::face_temp_path("megamind_annotated.avi");
  int64_t frames = 0, with_faces = 0;
  const VideoEmotionSummary s = analyze_video(
      classifier, detector, VideoSource::file(path), options,
      [&](int64_t, double, const std::vector<FaceEmotion>& faces, const std::string& smoothed) {
        ++frames;
        if (!faces.empty()) {
          ++with_faces;
          CHECK_FALSE(smoothed.empty());
          CHECK(faces.front().probabilities.size() == 4);
        }
      });
  CHECK(frames == 10);
  CHECK(s.stats.frames == 10);
  CHECK(with_faces == s.stats.frames_with_faces);
  CHECK(with_faces > 0);
  CHECK_FALSE(s.dominant.empty());
  cv::VideoCapture written(options.annotate_path);
  REQUIRE(written.isOpened());
  CHECK(written.get(cv::CAP_PROP_FRAME_COUNT) == 10);
  CHECK_THROWS_AS(analyze_video(classifier, detector, VideoSource::file(test::face_temp_path("no_such_video.avi"))), IoError);
}
