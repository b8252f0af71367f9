// Structural checks of an encoded PNG or JPEG before a decoder sees it (internal).
//
// libpng and libjpeg, as OpenCV calls them, print their complaints on stderr and libjpeg even
// "decodes" a truncated file by padding it with gray. Walking the file's own structure first
// (PNG chunks with their CRCs up to IEND; JPEG marker segments and scans up to EOI) turns those
// cases into one clear error. It does not decode: a flipped bit inside JPEG scan data, which JPEG
// has no checksum to reveal, is not caught here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace fermap::detail {

// What is wrong with the PNG or JPEG in `data` ("truncated PNG: ..."), or "" when its structure
// is whole or it is neither a PNG nor a JPEG (the decoder then decides).
std::string check_image_structure(const uint8_t* data, size_t size);

}  // namespace fermap::detail
