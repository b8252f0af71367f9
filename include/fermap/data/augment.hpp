// fermap/data/augment.hpp — the paper's random affine augmentation, with the semantics of Keras'
// ImageDataGenerator(rotation_range, width_shift_range, height_shift_range, zoom_range,
// horizontal_flip, fill_mode="nearest", interpolation_order=1).
//
// A draw is a pure function of (options, seed, stream): the same triple always gives the same
// transform, on any thread. Applying it maps each output pixel (row r, column c) to an input point
//     in = o + R(angle) * (Z * (out - o) + t)          (points as (row, column))
// sampled bilinearly, with points outside the image clamped to the nearest edge pixel (fill mode
// "nearest"). Like Keras:
//   - o = (h/2 + 0.5, w/2 + 0.5), Keras' transform_matrix_offset_center (for 48 x 48 this is
//     (24.5, 24.5), half a pixel beyond the geometric centre (23.5, 23.5)); kept for fidelity.
//   - R(a) = [[cos a, -sin a], [sin a, cos a]] in (row, column) coordinates.
//   - t = (shift_y, shift_x) in pixels: a positive shift moves the content up / left.
//   - Z = diag(zoom_y, zoom_x): a zoom above 1 samples a larger area, so the face looks smaller.
//   - the horizontal flip (if drawn) is applied after the affine warp.
// The draw ranges: angle uniform in [-rotation_deg, rotation_deg]; shift_x uniform in
// [-width_shift, width_shift] * width (continuous, not whole pixels); shift_y likewise with height;
// zoom_x and zoom_y drawn independently, uniform in [1 - zoom, 1 + zoom]; flip with probability
// 1/2 when horizontal_flip is set. The label of an image never changes.
#pragma once

#include <cstdint>
#include <vector>

namespace fermap {

struct AugmentOptions {
  float rotation_deg = 10;      // Keras rotation_range
  float width_shift = 0.1f;     // Keras width_shift_range, a fraction of the width
  float height_shift = 0.1f;    // Keras height_shift_range, a fraction of the height
  float zoom = 0.1f;            // Keras zoom_range=z means [1 - z, 1 + z]
  bool horizontal_flip = false;
  // Random erasing (Zhong et al., 2017; not in the paper): with this probability, one rectangle
  // of 2-25 % of the image, aspect ratio 0.3-3.3, is painted over with the image's mean.
  float erase = 0;
};

// One drawn transform. Shifts are in pixels; x is the column (horizontal), y the row (vertical).
struct AffineDraw {
  float angle_deg = 0, shift_x = 0, shift_y = 0, zoom_x = 1, zoom_y = 1;
  bool flip = false;
  int erase_row = 0, erase_col = 0, erase_height = 0, erase_width = 0;  // no rectangle when 0 x 0
  bool is_identity() const;
};

struct ImageSize {
  int height = 48, width = 48;
};

// Draws a transform from counter-based random numbers (seed, stream, 0..10): deterministic and
// independent of thread count. `size` turns the shift fractions into pixels.
AffineDraw draw_augmentation(const AugmentOptions& options, uint64_t seed, uint64_t stream,
                             ImageSize size = {});

// dst[r * w + c] = the transformed image at (r, c), as floats in the source's 0..255 range (not
// rounded, as Keras gives floats). src is h x w bytes, row-major; src and dst must not overlap.
// The identity draw reproduces src exactly; a whole-pixel shift or a flip moves pixels exactly.
// The erased rectangle is painted last, over the transformed image, with that image's mean.
void augment_image(const uint8_t* src, int h, int w, const AffineDraw& draw, float* dst);
// The same for float pixels (a face crop already in a tensor).
void augment_image(const float* src, int h, int w, const AffineDraw& draw, float* dst);

// Test-time augmentation's ten views: the image, shifted by two pixels in each of four
// directions, and the mirror image of each of those five. The set is its own mirror image, so the
// average over it gives a face and its mirror image the same probabilities.
std::vector<AffineDraw> test_time_views();

}  // namespace fermap
