// load_image_folder: ROOT/<split>/<class>/*.{jpg,png,...} -> Dataset, decoded in parallel.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <system_error>

#include "fermap/data/fer2013.hpp"
#include "fermap/error.hpp"
#include "file_io.hpp"
#include "load_common.hpp"

namespace fermap {

namespace fs = std::filesystem;

namespace {

bool is_image_name(const std::string& name) {
  const size_t dot = name.rfind('.');
  if (dot == std::string::npos) return false;
  std::string ext = name.substr(dot + 1);
  for (char& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return ext == "jpg" || ext == "jpeg" || ext == "png" || ext == "bmp" || ext == "pgm";
}

// Names of the entries of `dir`, sorted; hidden entries left out. Throws IoError naming `dir`.
std::vector<fs::directory_entry> sorted_entries(const fs::path& dir) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec), end;
  if (ec) throw IoError(dir.string() + ": cannot list folder (" + ec.message() + ")");
  std::vector<fs::directory_entry> out;
  for (; it != end; it.increment(ec)) {
    if (ec) throw IoError(dir.string() + ": cannot list folder (" + ec.message() + ")");
    const std::string name = it->path().filename().string();
    if (!name.empty() && name[0] != '.') out.push_back(*it);
  }
  if (ec) throw IoError(dir.string() + ": cannot list folder (" + ec.message() + ")");
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.path().filename() < b.path().filename(); });
  return out;
}

struct FileItem {
  std::string path;
  int label;
};

}  // namespace

Dataset load_image_folder(const std::string& root, const std::string& split,
                          const LoadOptions& options, LoadReport* report) {
  detail::check_load_options(options);
  LoadReport local;
  LoadReport& rep = report ? *report : local;
  rep = LoadReport{};
  detail::BadInput bad(options, rep);

  const fs::path dir = fs::path(root) / split;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw IoError(dir.string() + ": no such folder (expected ROOT/" + split + "/<class>/<images>)");

  const std::vector<std::string> known = all_classes();
  for (const auto& entry : sorted_entries(dir)) {
    if (!entry.is_directory(ec)) continue;
    const std::string name = entry.path().filename().string();
    if (std::find(known.begin(), known.end(), name) == known.end())
      bad(entry.path().string() + ": unknown class folder '" + name +
          "' (expected angry, disgust, fear, happy, neutral, sad or surprise)");
  }

  std::vector<FileItem> files;
  for (size_t label = 0; label < options.classes.size(); ++label) {
    const fs::path class_dir = dir / options.classes[label];
    if (!fs::is_directory(class_dir, ec)) {
      bad(class_dir.string() + ": missing class folder");
      continue;
    }
    size_t found = 0;
    for (const auto& entry : sorted_entries(class_dir)) {
      if (!entry.is_regular_file(ec) || !is_image_name(entry.path().filename().string())) continue;
      files.push_back({entry.path().string(), static_cast<int>(label)});
      ++found;
    }
    if (found == 0) bad(class_dir.string() + ": empty class folder (no .jpg/.jpeg/.png/.bmp/.pgm)");
  }

  Dataset data;
  data.height = options.height;
  data.width = options.width;
  data.class_names = options.classes;
  const size_t bytes = data.image_bytes();
  data.pixels.resize(files.size() * bytes);
  std::vector<std::string> errors(files.size());
  const auto n = static_cast<int64_t>(files.size());
#pragma omp parallel for schedule(dynamic, 32)
  for (int64_t i = 0; i < n; ++i) {
    const auto k = static_cast<size_t>(i);
    try {
      const std::string encoded = detail::read_whole_file(files[k].path, "image");
      const std::string why =
          detail::decode_gray(reinterpret_cast<const uint8_t*>(encoded.data()), encoded.size(),
                              data.height, data.width, data.pixels.data() + k * bytes);
      if (!why.empty()) errors[k] = files[k].path + ": image " + why;
    } catch (const std::exception& e) {
      errors[k] = e.what();
    }
  }

  size_t kept = 0;
  for (size_t k = 0; k < files.size(); ++k) {
    if (!errors[k].empty()) {
      bad(errors[k]);
      continue;
    }
    if (kept != k) std::copy_n(data.pixels.data() + k * bytes, bytes, data.pixels.data() + kept * bytes);
    data.labels.push_back(files[k].label);
    data.sources.push_back(std::move(files[k].path));
    ++kept;
  }
  data.pixels.resize(kept * bytes);
  if (kept == 0) throw FormatError(dir.string() + ": no usable image of the selected classes");
  rep.loaded = kept;
  return data;
}

}  // namespace fermap
