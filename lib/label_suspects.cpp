// Images whose label a committee of models doubts (label_suspects.hpp).
#include "fermap/label_suspects.hpp"

#include <algorithm>
#include <cstdio>

#include "fermap/error.hpp"

namespace fermap {

std::vector<LabelSuspect> find_label_suspects(const Tensor& probabilities, const Dataset& data, float below) {
  if (!(below > 0.0f && below <= 1.0f)) throw ArgumentError("the probability threshold must be in (0, 1], got " + std::to_string(below));
  const size_t k = data.class_names.size();
  if (probabilities.shape().rank() != 2 || static_cast<size_t>(probabilities.dim(0)) != data.size() ||
      static_cast<size_t>(probabilities.dim(1)) != k)
    throw ShapeError("probabilities " + probabilities.shape().str() + " do not fit " + std::to_string(data.size()) +
                     " images of " + std::to_string(k) + " classes");
  std::vector<LabelSuspect> suspects;
  for (size_t i = 0; i < data.size(); ++i) {
    const float* p = probabilities.data() + i * k;
    const float own = p[data.labels[i]];
    if (own >= below) continue;
    const auto top = std::max_element(p, p + k);
    suspects.push_back({i, own, static_cast<int>(top - p), *top});
  }
  std::stable_sort(suspects.begin(), suspects.end(),
                   [](const LabelSuspect& a, const LabelSuspect& b) { return a.label_probability < b.label_probability; });
  return suspects;
}

std::string label_suspect_list(const std::vector<LabelSuspect>& suspects, const Dataset& data,
                               const std::vector<std::string>& header) {
  std::string text;
  for (const std::string& line : header) text += "# " + line + "\n";
  for (const LabelSuspect& s : suspects) {
    char reasons[160];
    std::snprintf(reasons, sizeof reasons, "\tlabel %s p %.4f\tpredicted %s p %.4f",
                  data.class_names[static_cast<size_t>(data.labels[s.index])].c_str(), static_cast<double>(s.label_probability),
                  data.class_names[static_cast<size_t>(s.predicted)].c_str(), static_cast<double>(s.predicted_probability));
    text += data.sources[s.index] + reasons + "\n";
  }
  return text;
}

}  // namespace fermap
