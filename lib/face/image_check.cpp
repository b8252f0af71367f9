// lib/face/image_check.cpp — PNG chunk walk with CRC-32, JPEG marker walk to EOI.
#include "face/image_check.hpp"

#include <array>
#include <cctype>
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

void check_png(const uint8_t* data, size_t size, ImageStructure& out) {
  size_t at = sizeof kPngSignature;
  bool first = true;
  while (true) {
    if (size - at < 12) return void(out.problem = "truncated PNG (it ends before its IEND chunk)");
    const uint32_t length = be32(data + at);
    const std::string type(reinterpret_cast<const char*>(data + at + 4), 4);
    if (length > size - at - 12)
      return void(out.problem = "truncated PNG (chunk '" + type + "' runs past the end of the file)");
    if (first && (type != "IHDR" || length != 13))
      return void(out.problem = "corrupt PNG (it does not start with an IHDR chunk)");
    if (crc32(data + at + 4, length + 4) != be32(data + at + 8 + length))
      return void(out.problem = "corrupt PNG (CRC mismatch in chunk '" + type + "')");
    if (first) out.width = be32(data + at + 8), out.height = be32(data + at + 12);
    if (type == "IEND") return;
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

// A DHT segment's payload: tables of (class/id byte, 16 counts, that many symbols), each table
// at most 256 symbols, the last ending where the segment does.
bool valid_huffman_tables(const uint8_t* p, size_t n) {
  while (n > 0) {
    if (n < 17 || (p[0] >> 4) > 1 || (p[0] & 15) > 3) return false;
    size_t symbols = 0;
    for (int i = 1; i <= 16; ++i) symbols += p[i];
    if (symbols > 256 || symbols > n - 17) return false;
    p += 17 + symbols;
    n -= 17 + symbols;
  }
  return true;
}

bool is_frame_header(uint8_t marker) {  // SOF0..SOF15 but DHT (C4), JPG (C8) and DAC (CC)
  return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

// `at`: just after the start-of-image marker.
void check_jpeg(const uint8_t* data, size_t size, size_t at, ImageStructure& out) {
  const char* truncated = "truncated JPEG (it ends before its end-of-image marker)";
  while (true) {
    while (at < size && data[at] == 0xFF && at + 1 < size && data[at + 1] == 0xFF) ++at;  // fill bytes
    if (size - at < 2) return void(out.problem = truncated);
    if (data[at] != 0xFF) return void(out.problem = "corrupt JPEG (no marker where one must be)");
    const uint8_t marker = data[at + 1];
    if (marker == 0xD9) return;
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {  // markers without a length
      at += 2;
      continue;
    }
    if (size - at < 4) return void(out.problem = truncated);
    const size_t length = static_cast<size_t>(data[at + 2]) << 8 | data[at + 3];
    if (length < 2) return void(out.problem = "corrupt JPEG (a marker segment has length " + std::to_string(length) + ")");
    if (length > size - at - 2) return void(out.problem = truncated);
    const uint8_t* payload = data + at + 4;
    if (marker == 0xC4 && !valid_huffman_tables(payload, length - 2))
      return void(out.problem = "corrupt JPEG (a malformed Huffman table)");
    if (is_frame_header(marker) && length >= 7 && out.width < 0) {
      out.height = static_cast<int64_t>(payload[1]) << 8 | payload[2];
      out.width = static_cast<int64_t>(payload[3]) << 8 | payload[4];
      if (out.height == 0) out.width = out.height = -1;  // height given later (DNL): not known here
    }
    at += 2 + length;
    if (marker == 0xDA) at = skip_scan(data, size, at);
  }
}

// PNM (P1..P6): magic, then width, height and (but for P1/P4) the largest value, as decimal
// numbers between white space and '#' comments. stb_image 2.27 adds up their digits in an int
// without a bound (found by fuzz/fuzz_face_image), so a number of more than 9 digits is refused.
void check_pnm(const uint8_t* data, size_t size, ImageStructure& out) {
  const int numbers = data[1] == '1' || data[1] == '4' ? 2 : 3;
  int64_t value[3] = {-1, -1, -1};
  size_t at = 2;
  for (int k = 0; k < numbers; ++k) {
    while (at < size && (std::isspace(data[at]) || data[at] == '#')) {
      if (data[at] == '#')
        while (at < size && data[at] != '\n' && data[at] != '\r') ++at;
      else
        ++at;
    }
    size_t digits = 0;
    int64_t v = 0;
    for (; at < size && std::isdigit(data[at]); ++at, ++digits)
      if (digits < 9) v = v * 10 + (data[at] - '0');
    if (digits > 9) return void(out.problem = "corrupt PNM header (a number of " + std::to_string(digits) + " digits)");
    if (digits == 0) return;  // not a header we can read: the decoder decides
    value[k] = v;
  }
  out.width = value[0];
  out.height = value[1];
}

// Decoders take any run of 0xFF before a marker as fill, the first one too: a JPEG may start with
// FF FF ... FF D8. Returns the position after that marker, or 0 when `data` is not a JPEG.
size_t jpeg_start(const uint8_t* data, size_t size) {
  size_t i = 0;
  while (i < size && data[i] == 0xFF) ++i;
  return i >= 1 && i < size && data[i] == 0xD8 ? i + 1 : 0;
}

}  // namespace

ImageStructure check_image_structure(const uint8_t* data, size_t size) {
  ImageStructure out;
  if (size >= sizeof kPngSignature && std::memcmp(data, kPngSignature, sizeof kPngSignature) == 0)
    check_png(data, size, out);
  else if (const size_t soi = jpeg_start(data, size))
    check_jpeg(data, size, soi, out);
  else if (size >= 2 && data[0] == 'P' && data[1] >= '1' && data[1] <= '6')  // stb reads "P5123 ..." too
    check_pnm(data, size, out);
  return out;
}

}  // namespace fermap::detail
