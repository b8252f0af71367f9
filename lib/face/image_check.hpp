// Structural checks of an encoded PNG or JPEG before a decoder sees it (internal).
//
// libpng and libjpeg, as OpenCV calls them, print their complaints on stderr and libjpeg even
// "decodes" a truncated file by padding it with gray. Walking the file's own structure first
// (PNG chunks with their CRCs up to IEND; JPEG marker segments and scans up to EOI) turns those
// cases into one clear error. It also reads the size from the PNG, JPEG or PNM header, and checks
// what stb_image 2.27 trusts: a JPEG Huffman table of more than 256 symbols makes it write past
// its tables, a PNM number of many digits overflows its int (both found by fuzz/fuzz_face_image). It does not decode: a flipped bit
// inside JPEG scan data, which JPEG has no checksum to reveal, is not caught here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace fermap::detail {

struct ImageStructure {
  std::string problem;              // what is wrong ("truncated PNG (...)"), "" when nothing is
  int64_t width = -1, height = -1;  // from the header; -1 when not read (not a PNG/JPEG, or cut short)
};

// Walks the PNG, JPEG or PNM header in `data`. For anything else it reports nothing: the decoder
// decides.
ImageStructure check_image_structure(const uint8_t* data, size_t size);

}  // namespace fermap::detail
