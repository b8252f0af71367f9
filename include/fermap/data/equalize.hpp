// fermap/data/equalize.hpp — histogram equalisation of one gray image.
//
// Each gray level is mapped through the image's cumulative histogram, so that the levels spread
// over 0..255 whatever the lighting was: a dark photo and a washed-out webcam frame of one face
// come out alike. A model trained with `--equalize` records it in its preprocessing, and every
// path that feeds it (training batches, eval, calibrate, the classifier) equalises each face
// before anything else, augmentation included.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fermap {

// out[i] = round((cdf(in[i]) - h0) * 255 / (n - h0)), with cdf the image's cumulative histogram
// over its 256 levels and h0 the count of its darkest level present (OpenCV's equalizeHist). An
// image of one level is copied unchanged. `out` may be `in`.
void equalize_histogram(const uint8_t* in, size_t n, uint8_t* out);

// The same for gray levels held as floats in [0, 255] (a face crop): each value counts as its
// nearest level (values outside the range are clamped), and the output holds whole levels.
void equalize_histogram(const float* in, size_t n, float* out);

}  // namespace fermap
