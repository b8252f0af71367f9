// make_batch: Dataset images -> scaled float NHWC tensor, augmenting on the fly, OpenMP over items.
#include <vector>

#include "fermap/data/batch.hpp"
#include "fermap/data/equalize.hpp"
#include "fermap/error.hpp"

namespace fermap {

void make_batch(const Dataset& data, const EpochItem* items, size_t count,
                const BatchOptions& options, Tensor& x, std::vector<int>& labels) {
  if (options.channels != 1 && options.channels != 3)
    throw ArgumentError("make_batch: channels must be 1 or 3, got " + std::to_string(options.channels));
  if (count == 0) throw ArgumentError("make_batch: empty batch");
  for (size_t k = 0; k < count; ++k)
    if (items[k].index >= data.size())
      throw ArgumentError("make_batch: image index " + std::to_string(items[k].index) +
                          " out of range for a dataset of " + std::to_string(data.size()));

  const int h = data.height, w = data.width, ch = options.channels;
  const size_t pixels = data.image_bytes();
  x.resize(Shape{static_cast<int>(count), h, w, ch});
  labels.resize(count);
  const float scale = options.scale;
  const auto n = static_cast<int64_t>(count);
#pragma omp parallel
  {
    std::vector<float> warped(pixels);
    std::vector<uint8_t> equalized(options.equalize ? pixels : 0);
#pragma omp for schedule(static)
    for (int64_t i = 0; i < n; ++i) {
      const auto k = static_cast<size_t>(i);
      const EpochItem& item = items[k];
      const uint8_t* src = data.image(item.index);
      if (options.equalize) {
        equalize_histogram(src, pixels, equalized.data());
        src = equalized.data();
      }
      float* out = x.data() + k * pixels * static_cast<size_t>(ch);
      labels[k] = data.labels[item.index];
      if (item.augment) {
        const uint64_t stream = (options.epoch << 32) + item.position;
        const AffineDraw draw = draw_augmentation(options.augment, options.seed, stream, {h, w});
        augment_image(src, h, w, draw, warped.data());
        write_input_pixels(warped.data(), pixels, ch, scale, out);
      } else {
        write_input_pixels(src, pixels, ch, scale, out);
      }
    }
  }
}

}  // namespace fermap
