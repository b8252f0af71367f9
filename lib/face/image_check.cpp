// lib/face/image_check.cpp — PNG chunk walk with CRC-32, JPEG marker walk to EOI.
#include "face/image_check.hpp"

#include <array>
#include <cstring>

namespace fermap::detail {

namespace {

constexpr uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

constexpr std::array<uint32_t, 256> crc_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t n = 0; n < 256; ++n) {
    uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
  return table;
}

uint32_t crc32(const uint8_t* data, size_t size) {
  static constexpr std::array<uint32_t, 256> kTable = crc_table();
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < size; ++i) c = kTable[(c ^ data[i]) & 0xFFu] ^ (c >> 8);
  return ~c;
}

uint32_t be32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 | static_cast<uint32_t>(p[2]) << 8 | p[3];
}

std::string check_png(const uint8_t* data, size_t size) {
  size_t at = sizeof kPngSignature;
  bool first = true;
  while (true) {
    if (size - at < 12) return "truncated PNG (it ends before its IEND chunk)";
    const uint32_t length = be32(data + at);
    const std::string type(reinterpret_cast<const char*>(data + at + 4), 4);
    if (length > size - at - 12) return "truncated PNG (chunk '" + type + "' runs past the end of the file)";
    if (first && (type != "IHDR" || length != 13)) return "corrupt PNG (it does not start with an IHDR chunk)";
    if (crc32(data + at + 4, length + 4) != be32(data + at + 8 + length))
      return "corrupt PNG (CRC mismatch in chunk '" + type + "')";
    if (type == "IEND") return "";
    at += 12 + length;
    first = false;
  }
}

// After the header of a scan: the entropy-coded data runs to the next marker that is not a
// stuffed 0xFF00, a restart marker or fill. Returns its position, or `size` when there is none.
size_t skip_scan(const uint8_t* data, size_t size, size_t at) {
  while (at + 1 < size) {
    const void* ff = std::memchr(data + at, 0xFF, size - at - 1);
    if (!ff) return size;
    at = static_cast<size_t>(static_cast<const uint8_t*>(ff) - data);
    const uint8_t next = data[at + 1];
    if (next == 0x00 || next == 0xFF || (next >= 0xD0 && next <= 0xD7)) {
      at += next == 0xFF ? 1 : 2;
      continue;
    }
    return at;
  }
  return size;
}

std::string check_jpeg(const uint8_t* data, size_t size) {
  const std::string truncated = "truncated JPEG (it ends before its end-of-image marker)";
  size_t at = 2;
  while (true) {
    while (at < size && data[at] == 0xFF && at + 1 < size && data[at + 1] == 0xFF) ++at;  // fill bytes
    if (size - at < 2) return truncated;
    if (data[at] != 0xFF) return "corrupt JPEG (no marker where one must be)";
    const uint8_t marker = data[at + 1];
    if (marker == 0xD9) return "";
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {  // markers without a length
      at += 2;
      continue;
    }
    if (size - at < 4) return truncated;
    const size_t length = static_cast<size_t>(data[at + 2]) << 8 | data[at + 3];
    if (length < 2) return "corrupt JPEG (a marker segment has length " + std::to_string(length) + ")";
    if (length > size - at - 2) return truncated;
    at += 2 + length;
    if (marker == 0xDA) at = skip_scan(data, size, at);
  }
}

}  // namespace

std::string check_image_structure(const uint8_t* data, size_t size) {
  if (size >= sizeof kPngSignature && std::memcmp(data, kPngSignature, sizeof kPngSignature) == 0)
    return check_png(data, size);
  if (size >= 2 && data[0] == 0xFF && data[1] == 0xD8) return check_jpeg(data, size);
  return "";
}

}  // namespace fermap::detail
