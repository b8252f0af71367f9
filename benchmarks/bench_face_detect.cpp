// Benchmarks for face detection: frames/s on 640x480 frames of opencv-doc's Megamind.avi (fetched by
// scripts/fetch_test_media.sh), at full size and shrunk for detection; the demo photo; the whole
// video loop (decode + resize + detect). Target (DESIGN.md): >= 30 frames/s at 640x480.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <string>
#include <vector>

#include "fermap/face/detector.hpp"
#include "fermap/face/image_io.hpp"
#include "fermap/face/video.hpp"

namespace {

// CMake compiles this file by its absolute path, so the source tree is two folders up.
const std::string kSourceDir = std::filesystem::path(__FILE__).parent_path().parent_path().string();
const std::string kVideo = kSourceDir + "/tests/fixtures/app/media/Megamind.avi";

// The first 60 frames of the video, resized to 640x480; empty when the video is missing.
const std::vector<cv::Mat>& frames_640x480() {
  static const std::vector<cv::Mat> frames = [] {
    std::vector<cv::Mat> out;
    cv::VideoCapture capture(kVideo, cv::CAP_FFMPEG);
    cv::Mat frame;
    while (out.size() < 60 && capture.isOpened() && capture.read(frame)) {
      cv::Mat resized;
      cv::resize(frame, resized, cv::Size(640, 480), 0, 0, cv::INTER_AREA);
      out.push_back(resized);
    }
    return out;
  }();
  return frames;
}

// range(0): max_detect_side (0 = detect at full 640x480).
void BM_detect_megamind_640x480(benchmark::State& state) {
  const std::vector<cv::Mat>& frames = frames_640x480();
  if (frames.empty()) {
    state.SkipWithError("Megamind.avi missing: run scripts/fetch_test_media.sh");
    return;
  }
  fermap::DetectorOptions options;
  options.max_detect_side = static_cast<int>(state.range(0));
  fermap::FaceDetector detector(options);
  size_t i = 0;
  int64_t faces = 0;
  for (auto _ : state) {
    faces += static_cast<int64_t>(detector.detect(frames[i++ % frames.size()]).size());
  }
  state.counters["fps"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["faces/frame"] = static_cast<double>(faces) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_detect_megamind_640x480)->Arg(0)->Arg(480)->Arg(320)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_video_loop_megamind_640x480(benchmark::State& state) {
  if (frames_640x480().empty()) {
    state.SkipWithError("Megamind.avi missing: run scripts/fetch_test_media.sh");
    return;
  }
  fermap::DetectorOptions options;
  options.max_detect_side = 320;
  fermap::FaceDetector detector(options);
  fermap::VideoOptions video;
  video.frame_size = cv::Size(640, 480);
  video.max_frames = 60;
  double fps = 0;
  for (auto _ : state) fps = fermap::run_video(fermap::VideoSource::file(kVideo), detector, {}, video).fps();
  state.counters["fps"] = fps;
}
BENCHMARK(BM_video_loop_megamind_640x480)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

void BM_detect_demo_photo(benchmark::State& state) {
  const cv::Mat photo = fermap::load_image(kSourceDir + "/data/demo/faces.png");
  fermap::FaceDetector detector;
  for (auto _ : state) benchmark::DoNotOptimize(detector.detect(photo));
}
BENCHMARK(BM_detect_demo_photo)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
