// libFuzzer target: the song-table parser (Catalogue::parse) and the per-mood indices it builds.
// Every rejection must be a fermap::Error; any other exception, crash or sanitizer report is a
// finding.
#include <cstdint>
#include <string_view>

#include "fermap/error.hpp"
#include "fermap/songs/catalogue.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const fermap::Catalogue catalogue =
        fermap::Catalogue::parse(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.csv");
    size_t indexed = 0;
    for (int m = 0; m < fermap::kMoodCount; ++m) {
      for (const uint32_t i : catalogue.indices_of(static_cast<fermap::Mood>(m)))
        if (catalogue.index_of(catalogue[i].uri) < 0) __builtin_trap();  // every song is found by its URI
      indexed += catalogue.indices_of(static_cast<fermap::Mood>(m)).size();
    }
    if (indexed != catalogue.size()) __builtin_trap();  // every song is in exactly one mood list
  } catch (const fermap::Error&) {
  }
  return 0;
}
