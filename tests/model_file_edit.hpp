// Model files changed on purpose, for tests of what the loader refuses.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include <nlohmann/json.hpp>

#include "fermap/serialize.hpp"

namespace fermap::test {

// The bytes of a model file whose header JSON `edit` changed, with the header length and the
// checksum made right again: the file is then wrong only in what `edit` did.
template <class Edit>
std::string with_header_edited(const std::string& bytes, Edit&& edit) {
  uint64_t header_len = 0;
  std::memcpy(&header_len, bytes.data() + 12, 8);
  nlohmann::json header = nlohmann::json::parse(bytes.substr(20, header_len));
  edit(header);
  const std::string text = header.dump();
  std::string out = bytes.substr(0, 12);
  const uint64_t new_len = text.size();
  out.append(reinterpret_cast<const char*>(&new_len), 8);
  out += text;
  out += bytes.substr(20 + header_len, bytes.size() - 8 - 20 - header_len);
  const uint64_t sum = model_file_checksum(out);
  out.append(reinterpret_cast<const char*>(&sum), 8);
  return out;
}

}  // namespace fermap::test
