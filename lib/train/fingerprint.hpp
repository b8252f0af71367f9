// A fingerprint of several byte ranges (a run's images, its teacher files): the checksum of their
// checksums, as 16 hex digits, so a resumed run can tell that it was given the same inputs.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "fermap/serialize.hpp"

namespace fermap {

class Fingerprint {
 public:
  void add(std::string_view bytes) {
    const uint64_t sum = model_file_checksum(bytes);
    sums_.append(reinterpret_cast<const char*>(&sum), sizeof sum);
  }
  std::string hex() const {
    char out[17];
    std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(model_file_checksum(sums_)));
    return out;
  }

 private:
  std::string sums_;
};

}  // namespace fermap
