// fermap/data/fer2013.hpp — loading FER2013 from its image-folder layout or its original CSV, and
// choosing which emotion classes to keep.
//
// Class order. Labels follow the order of the class list the caller passes (LoadOptions::classes).
// The library's own lists are alphabetical, which is also the order Keras' flow_from_directory
// gives the folder layout:
//   paper_classes() = {angry, happy, neutral, sad}                       (labels 0..3)
//   all_classes()   = {angry, disgust, fear, happy, neutral, sad, surprise} (labels 0..6)
// This is NOT the CSV's emotion-id order (0 angry, 1 disgust, 2 fear, 3 happy, 4 sad, 5 surprise,
// 6 neutral); the CSV loader maps ids to names, so both layouts give identical labels.
//
// Image-folder layout: ROOT/{train,test}/<class>/<image>. Images are .jpg/.jpeg/.png/.bmp/.pgm
// (case-insensitive); hidden entries, files with other extensions and plain files directly in
// ROOT/<split> are ignored. Paths are sorted (byte order) so the order of a Dataset never depends
// on the file system. Decoding (stb_image) runs in parallel (OpenMP); the result does not depend on
// the thread count. stb's JPEG decoder differs from libjpeg's (PIL, OpenCV) by at most one grey
// level on about 1 % of FER2013's pixels.
//
// CSV layout: a header naming the columns emotion, pixels and Usage (any order, other columns
// ignored), then one image per line: emotion id 0..6, 2304 space-separated integers 0..255, and a
// Usage of Training, PublicTest or PrivateTest. Fields may be double-quoted; no field may hold a
// newline. Every row's emotion and Usage are checked; pixels are parsed for the rows kept.
//
// What counts as bad input, and what happens to it:
//   - an unreadable or corrupt image, an image that is not height x width (48 x 48), or not
//     grayscale. A 3-channel image whose three channels are equal everywhere IS accepted as gray;
//     any alpha channel is rejected.
//   - a folder in ROOT/<split> that is not one of the seven FER2013 class names;
//   - a selected class whose folder is missing or holds no image;
//   - a CSV row with the wrong number of fields, a non-number, a value out of range, the wrong pixel
//     count, an unknown emotion id or Usage.
// Without skip_bad the first of them (in file order) is thrown as a FormatError naming the file
// (and line). With skip_bad each is skipped, counted in LoadReport::skipped and described in
// LoadReport::problems. Structural faults are thrown even with skip_bad: a missing ROOT/<split>
// folder or CSV file (IoError), a CSV header that is empty or lacks a column (FormatError), and
// a selection that leaves no image at all (FormatError).
#pragma once

#include <string>
#include <vector>

#include "fermap/data/dataset.hpp"

namespace fermap {

// {"angry", "happy", "neutral", "sad"}: the paper's four classes, labels 0..3 in this order.
std::vector<std::string> paper_classes();
// The seven FER2013 classes in alphabetical order (see above), labels 0..6.
std::vector<std::string> all_classes();
// The FER2013 name of CSV emotion id 0..6; throws ArgumentError otherwise.
std::string fer2013_class_name(int emotion_id);
// "4" or "paper" -> paper_classes(); "7" or "all" -> all_classes(); otherwise a comma-separated
// list of FER2013 names ("happy,sad"), case-insensitive, kept in the given order. Throws
// ArgumentError on an unknown or repeated name or an empty list.
std::vector<std::string> parse_class_list(const std::string& spec);
// The inverse: "angry,happy,neutral,sad".
std::string join_class_list(const std::vector<std::string>& names);

struct LoadOptions {
  std::vector<std::string> classes = paper_classes();  // kept classes; label = position here
  bool skip_bad = false;                               // skip bad images/rows instead of throwing
  int height = 48, width = 48;                         // every image must have this size
};

struct LoadReport {
  static constexpr size_t kMaxProblems = 20;
  size_t loaded = 0;                  // images in the returned Dataset
  size_t skipped = 0;                 // bad images, rows and folders skipped (skip_bad only)
  std::vector<std::string> problems;  // the first kMaxProblems of those, one line each
  // "loaded N, skipped M" plus the listed problems, one per line.
  std::string summary() const;
};

// Loads ROOT/<split>/<class>/* for the selected classes. `split` is a folder name, normally
// "train" or "test".
Dataset load_image_folder(const std::string& root, const std::string& split,
                          const LoadOptions& options, LoadReport* report = nullptr);

// Loads the rows of fer2013.csv whose Usage matches `split`: "train" = Training, "test" =
// PublicTest + PrivateTest, or one exact Usage name ("Training", "PublicTest", "PrivateTest").
// sources are "<csv_path>:<line>" with 1-based line numbers (the header is line 1).
Dataset load_fer2013_csv(const std::string& csv_path, const std::string& split,
                         const LoadOptions& options, LoadReport* report = nullptr);

// `path` is a .csv file -> load_fer2013_csv; a folder holding <split>/ -> load_image_folder; a
// folder holding fer2013.csv -> that CSV. Anything else is an IoError naming the path.
Dataset load_dataset(const std::string& path, const std::string& split, const LoadOptions& options,
                     LoadReport* report = nullptr);

}  // namespace fermap
