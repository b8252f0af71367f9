// fermap/face/bundled_data.hpp — finds the files the project ships under data/ (the trained model, the
// song table, the demo photo) from wherever the fermap command runs.
#pragma once

#include <string>
#include <vector>

namespace fermap {

inline constexpr const char* kDefaultModel = "models/custom_cnn.fmp";
inline constexpr const char* kDefaultSongs = "songs/data_moods.csv";

// Where `relative` (a path under data/) is looked for, in order:
//   $FERMAP_DATA_DIR/<relative>                      (when the variable is set)
//   ./data/<relative>                                (run from the source tree, as the README does)
//   <executable>/../../data/<relative>               (build/tools/fermap in the source tree)
//   <executable>/../share/fermap/<relative>          (an installed fermap)
//   <source tree this library was compiled from>/data/<relative>
std::vector<std::string> bundled_data_paths(const std::string& relative);

// `explicit_path` when given (IoError naming it if it is not a file); else the first of
// bundled_data_paths that exists; IoError naming every path tried when none does.
std::string find_bundled_file(const std::string& relative, const std::string& explicit_path = "");

}  // namespace fermap
