// Training images whose label is probably wrong. FER2013 was labelled quickly from web searches and
// a share of its labels is wrong (a scowl filed as sad, a neutral face as angry); a network fitted
// to those labels spends capacity on them. A committee of trained models that gives an image's own
// label a low probability marks it as a suspect; `fermap data suspects` writes the suspects as an
// image list (data/image_list.hpp) that `fermap train --exclude` leaves out.
#pragma once

#include <string>
#include <vector>

#include "fermap/data/dataset.hpp"
#include "fermap/data/preview.hpp"
#include "fermap/tensor.hpp"

namespace fermap {

struct LabelSuspect {
  size_t index = 0;                 // in the dataset
  float label_probability = 0;      // what the committee gives the image's own label
  int predicted = 0;                // the committee's most probable class
  float predicted_probability = 0;
};

// The images of `data` whose own label gets a probability below `below` in `probabilities`
// ([N, classes], rows in data's order), the least probable label first (ties: dataset order).
// Throws ShapeError when the probabilities do not fit the data, ArgumentError unless 0 < below <= 1.
std::vector<LabelSuspect> find_label_suspects(const Tensor& probabilities, const Dataset& data, float below);

// The suspects as an image list: `header` as '#' comment lines, then one line per suspect,
// "SOURCE\tlabel LABEL p P\tpredicted CLASS p P".
std::string label_suspect_list(const std::vector<LabelSuspect>& suspects, const Dataset& data,
                               const std::vector<std::string>& header);

// A picture to judge the suspects by eye: the first `count` of them (all, if fewer), `columns` to a
// row, each face `zoom` times larger over two lines: its label, and the class the models chose with
// their probability. Throws ArgumentError when there is no suspect to draw or a size is not
// positive (zoom at most 16).
PreviewImage label_suspect_grid(const Dataset& data, const std::vector<LabelSuspect>& suspects, int count,
                                int columns = 8, int zoom = 2);

}  // namespace fermap
