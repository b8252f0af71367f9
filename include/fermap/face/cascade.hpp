// fermap/face/cascade.hpp — finds OpenCV's Haar cascade file (Debian's opencv-data) on this machine.
#pragma once

#include <string>
#include <vector>

namespace fermap {

inline constexpr const char* kDefaultCascade = "haarcascade_frontalface_default.xml";

// Where find_cascade looks for `name`, in order: $FERMAP_CASCADE_DIR, /usr/share/opencv4/haarcascades,
// /usr/share/opencv/haarcascades, /usr/local/share/opencv4/haarcascades,
// /usr/local/share/opencv/haarcascades. OpenCV's own sample-data search (cv::samples::findFile,
// which honours $OPENCV_SAMPLES_DATA_PATH) is tried after these.
std::vector<std::string> cascade_search_paths(const std::string& name = kDefaultCascade);

// `override_path` when given (IoError if it is not a readable file); otherwise the first of the
// search paths that exists. IoError naming every path tried when none does.
std::string find_cascade(const std::string& override_path = "", const std::string& name = kDefaultCascade);

}  // namespace fermap
