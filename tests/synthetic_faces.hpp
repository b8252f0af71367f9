// A tiny, learnable stand-in for FER2013 written as an image folder: each class is a bright
// block in its own quadrant on a noisy background, so a model must learn to beat chance clearly.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "fermap/rng.hpp"

namespace fermap::test {

inline void write_synthetic_split(const std::string& root, const std::string& split, int per_class, uint64_t seed) {
  const std::vector<std::string> classes = {"angry", "happy", "neutral", "sad"};
  Rng rng(seed);
  for (size_t k = 0; k < classes.size(); ++k) {
    const std::string dir = root + "/" + split + "/" + classes[k];
    std::filesystem::create_directories(dir);
    for (int i = 0; i < per_class; ++i) {
      cv::Mat img(48, 48, CV_8UC1);
      for (int p = 0; p < 48 * 48; ++p) img.data[p] = static_cast<uint8_t>(60 + rng.below(80));
      const int x = (k % 2 ? 26 : 4) + static_cast<int>(rng.below(6));
      const int y = (k / 2 ? 26 : 4) + static_cast<int>(rng.below(6));
      cv::rectangle(img, cv::Rect(x, y, 14, 14), cv::Scalar(230), cv::FILLED);
      cv::imwrite(dir + "/" + std::to_string(i) + ".png", img);
    }
  }
}

// root/train and root/test, written once. ctest runs test cases as parallel processes, so each
// writer builds its own copy and renames it into place: no reader meets a half-written image. When
// another process got there first, its copy (the same images) stays and ours is dropped.
inline std::string synthetic_dataset(int train_per_class = 40, int test_per_class = 20) {
  namespace fs = std::filesystem;
  const std::string root = std::string(FERMAP_TEST_TMP) + "/synthetic_" + std::to_string(train_per_class);
  if (!fs::exists(root)) {
    const std::string staging = root + ".writing." + std::to_string(::getpid());
    fs::remove_all(staging);
    write_synthetic_split(staging, "train", train_per_class, 1);
    write_synthetic_split(staging, "test", test_per_class, 2);
    std::error_code taken;
    fs::rename(staging, root, taken);
    if (taken) fs::remove_all(staging);
  }
  return root;
}

}  // namespace fermap::test
