// Reading a list of images and leaving them out of a Dataset (image_list.hpp).
#include "fermap/data/image_list.hpp"

#include <fstream>
#include <unordered_map>
#include <unordered_set>

#include "fermap/error.hpp"

namespace fermap {

std::vector<ListedImage> read_image_list(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw IoError(path + ": cannot open the image list");
  std::vector<ListedImage> list;
  std::unordered_map<std::string, size_t> first_line;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string name = line.substr(0, line.find('\t'));
    if (name.find_first_not_of(' ') == std::string::npos || name[0] == '#') continue;  // blank, or a comment
    const auto [seen, is_new] = first_line.emplace(name, number);
    if (!is_new)
      throw FormatError(path + ":" + std::to_string(number) + ": " + name + " is listed already on line " +
                        std::to_string(seen->second));
    list.push_back({std::move(name), number});
  }
  if (in.bad()) throw IoError(path + ": read error");
  return list;
}

std::vector<size_t> find_listed_images(const Dataset& data, const std::vector<ListedImage>& list) {
  std::unordered_set<std::string> listed;
  for (const ListedImage& image : list) listed.insert(image.name);
  std::vector<size_t> found;
  for (size_t i = 0; i < data.size(); ++i)
    if (listed.count(data.sources[i])) found.push_back(i);
  return found;
}

Dataset without_listed_images(const Dataset& data, const std::vector<ListedImage>& list) {
  const std::vector<size_t> listed = find_listed_images(data, list);
  std::vector<size_t> kept;
  kept.reserve(data.size() - listed.size());
  for (size_t i = 0, next = 0; i < data.size(); ++i) {
    if (next < listed.size() && listed[next] == i) {
      ++next;
    } else {
      kept.push_back(i);
    }
  }
  return subset(data, kept);
}

}  // namespace fermap
