// tests/test_face_support.hpp — helpers shared by the face tests: fixture paths and temporary files.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

namespace fermap::test {

// tests/fixtures/app/media/<name> (fetched by scripts/fetch_test_media.sh), or "" when absent.
inline std::string media_file(const std::string& name) {
  const std::string path = std::string(FERMAP_SOURCE_DIR) + "/tests/fixtures/app/media/" + name;
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec) ? path : std::string();
}

inline std::string demo_photo() { return std::string(FERMAP_SOURCE_DIR) + "/data/demo/faces.png"; }

// A path under FERMAP_TEST_TMP/face/ (the folder is created).
inline std::string face_temp_path(const std::string& name) {
  const std::filesystem::path dir = std::filesystem::path(FERMAP_TEST_TMP) / "face";
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

inline std::string write_face_temp(const std::string& name, const std::string& bytes) {
  const std::string path = face_temp_path(name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

}  // namespace fermap::test

// Skips the rest of a test case (with a warning) when a fetched media file is missing.
#define FERMAP_REQUIRE_MEDIA(var, name)                                                      \
  const std::string var = fermap::test::media_file(name);                                    \
  if (var.empty()) {                                                                         \
    WARN("skipped: tests/fixtures/app/media/" name " missing; run scripts/fetch_test_media.sh"); \
    return;                                                                                  \
  }
