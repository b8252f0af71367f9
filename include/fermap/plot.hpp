// Small PNG charts drawn with OpenCV: training curves and a confusion-matrix heat map.
#pragma once

#include <string>
#include <vector>

#include "fermap/metrics.hpp"

namespace fermap {

struct Series {
  std::string name;
  std::vector<double> values;  // one per epoch
};

// Two panels side by side (e.g. loss and accuracy), each with its series in distinct colours.
// Throws IoError naming the path when it cannot be written.
void plot_curves_png(const std::string& path, const std::string& left_title, const std::vector<Series>& left,
                     const std::string& right_title, const std::vector<Series>& right);

// Rows actual, columns predicted; cells shaded by row-normalised share and labelled with counts.
void plot_confusion_png(const std::string& path, const Metrics& metrics, const std::string& title);

}  // namespace fermap
