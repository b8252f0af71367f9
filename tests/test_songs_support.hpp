// tests/test_songs_support.hpp — helpers shared by the song tests: temporary files and tiny catalogues.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fermap/songs/catalogue.hpp"

namespace fermap::test {

// Writes `content` byte for byte to FERMAP_TEST_TMP/songs/<name> and returns the path.
inline std::string write_temp_file(const std::string& name, const std::string& content) {
  const std::filesystem::path dir = std::filesystem::path(FERMAP_TEST_TMP) / "songs";
  std::filesystem::create_directories(dir);
  const std::filesystem::path path = dir / name;
  std::ofstream out(path, std::ios::binary);
  out << content;
  return path.string();
}

inline std::string bundled_songs(const std::string& name) {
  return std::string(FERMAP_SOURCE_DIR) + "/data/songs/" + name;
}

inline Song make_song(const std::string& id, Mood mood, float valence, float energy) {
  Song s;
  s.uri = "spotify:track:" + id;
  s.name = "song " + id;
  s.mood = mood;
  s.features.valence = valence;
  s.features.energy = energy;
  s.features.danceability = 0.5f;
  s.features.tempo = 120.0f;
  s.features.loudness = -8.0f;
  return s;
}

}  // namespace fermap::test

namespace fermap::test {

// The message of the E that `f` throws, or "<nothing thrown>"; another exception type propagates.
template <class E, class F>
std::string thrown(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "<nothing thrown>";
}

}  // namespace fermap::test
