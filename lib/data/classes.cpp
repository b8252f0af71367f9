// FER2013 class names: the paper's four, all seven, CSV emotion ids, and parsing a --classes list.
#include <algorithm>

#include "fermap/data/fer2013.hpp"
#include "fermap/error.hpp"
#include "text.hpp"

namespace fermap {

std::string join_class_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ',';
    out += n;
  }
  return out;
}

std::vector<std::string> paper_classes() { return {"angry", "happy", "neutral", "sad"}; }

std::vector<std::string> all_classes() {
  return {"angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"};
}

std::string fer2013_class_name(int emotion_id) {
  static const char* const kNames[] = {"angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"};
  if (emotion_id < 0 || emotion_id > 6)
    throw ArgumentError("FER2013 emotion id " + std::to_string(emotion_id) + " is not in 0..6");
  return kNames[emotion_id];
}

std::vector<std::string> parse_class_list(const std::string& spec) {
  const std::string s = detail::normalised_name(spec);
  if (s == "4" || s == "paper") return paper_classes();
  if (s == "7" || s == "all") return all_classes();
  const std::vector<std::string> known = all_classes();
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = std::min(s.find(',', start), s.size());
    const std::string name = detail::normalised_name(s.substr(start, comma - start));
    if (name.empty())
      throw ArgumentError("class list '" + spec + "': empty class name");
    if (std::find(known.begin(), known.end(), name) == known.end())
      throw ArgumentError("class list '" + spec + "': unknown class '" + name + "' (expected " +
                          join_class_list(known) + ", or 4/paper, 7/all)");
    if (std::find(out.begin(), out.end(), name) != out.end())
      throw ArgumentError("class list '" + spec + "': class '" + name + "' given twice");
    out.push_back(name);
    start = comma + 1;
  }
  return out;
}

}  // namespace fermap
