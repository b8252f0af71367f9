// lib/face/bundled_data.cpp — the search for files under data/.
#include "fermap/face/bundled_data.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "fermap/error.hpp"

namespace fermap {

namespace fs = std::filesystem;

namespace {

bool is_file(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

}  // namespace

std::vector<std::string> bundled_data_paths(const std::string& relative) {
  std::vector<std::string> paths;
  if (const char* dir = std::getenv("FERMAP_DATA_DIR"); dir && *dir) paths.push_back((fs::path(dir) / relative).string());
  paths.push_back((fs::path("data") / relative).string());
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    paths.push_back((exe.parent_path() / ".." / ".." / "data" / relative).lexically_normal().string());
    paths.push_back((exe.parent_path() / ".." / "share" / "fermap" / relative).lexically_normal().string());
  }
  // This file is lib/face/bundled_data.cpp, compiled by its absolute path.
  const fs::path source_root = fs::path(__FILE__).parent_path().parent_path().parent_path();
  if (source_root.is_absolute()) paths.push_back((source_root / "data" / relative).string());
  std::vector<std::string> unique;
  for (const std::string& p : paths)
    if (std::find(unique.begin(), unique.end(), p) == unique.end()) unique.push_back(p);
  return unique;
}

std::string find_bundled_file(const std::string& relative, const std::string& explicit_path) {
  if (!explicit_path.empty()) {
    if (!is_file(explicit_path)) throw IoError("'" + explicit_path + "' does not exist or is not a file");
    return explicit_path;
  }
  const std::vector<std::string> paths = bundled_data_paths(relative);
  for (const std::string& path : paths)
    if (is_file(path)) return path;
  std::string tried;
  for (const std::string& path : paths) tried += "\n  " + path;
  throw IoError("data file '" + relative + "' not found; tried:" + tried +
                "\n(set FERMAP_DATA_DIR or pass the file's path)");
}

}  // namespace fermap
