// The data previews: the class-count table and the originals-beside-augmentations grid.
#include "fermap/data/preview.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "fermap/data/equalize.hpp"
#include "fermap/error.hpp"
#include "fermap/face/image_io.hpp"
#include "fermap/rng.hpp"

namespace fermap {

std::string class_count_table(const std::vector<SplitColumn>& columns) {
  if (columns.empty() || !columns[0].data) throw ArgumentError("class_count_table: no dataset");
  const std::vector<std::string>& classes = columns[0].data->class_names;
  size_t name_width = 5;
  for (const auto& c : classes) name_width = std::max(name_width, c.size());
  std::vector<std::vector<size_t>> counts;
  std::vector<size_t> widths;
  for (const auto& col : columns) {
    if (!col.data || col.data->class_names != classes)
      throw ArgumentError("class_count_table: split '" + col.name + "' has other classes");
    counts.push_back(col.data->class_counts());
    widths.push_back(std::max<size_t>(col.name.size(), std::to_string(col.data->size()).size()));
  }
  const auto pad_left = [](const std::string& s, size_t w) { return std::string(w > s.size() ? w - s.size() : 0, ' ') + s; };
  const auto pad_right = [](const std::string& s, size_t w) { return s + std::string(w > s.size() ? w - s.size() : 0, ' '); };
  std::string out = pad_right("class", name_width);
  for (size_t k = 0; k < columns.size(); ++k) out += "  " + pad_left(columns[k].name, widths[k]);
  out += "\n";
  for (size_t c = 0; c <= classes.size(); ++c) {
    const bool total = c == classes.size();
    out += pad_right(total ? "total" : classes[c], name_width);
    for (size_t k = 0; k < columns.size(); ++k)
      out += "  " + pad_left(std::to_string(total ? columns[k].data->size() : counts[k][c]), widths[k]);
    out += "\n";
  }
  return out;
}

PreviewImage augmentation_preview(const Dataset& data, const PreviewOptions& options) {
  if (data.size() == 0) throw ArgumentError("augmentation_preview: empty dataset");
  if (options.count <= 0 || options.augmented <= 0 || options.zoom <= 0 || options.zoom > 16)
    throw ArgumentError("augmentation_preview: count and augmented must be positive, zoom 1..16");

  // Rows take the classes in turn; each class shows its images in a seeded random order.
  std::vector<std::vector<size_t>> members(data.class_names.size());
  for (size_t i = 0; i < data.size(); ++i) members.at(static_cast<size_t>(data.labels[i])).push_back(i);
  Rng rng(mix64(options.seed ^ 0x9e3a11e7ull));
  std::vector<size_t> present;
  for (size_t c = 0; c < members.size(); ++c) {
    for (size_t k = members[c].size(); k > 1; --k) std::swap(members[c][k - 1], members[c][rng.below(k)]);
    if (!members[c].empty()) present.push_back(c);
  }
  std::vector<size_t> picks;
  for (int row = 0; row < options.count; ++row) {
    const auto& m = members[present[static_cast<size_t>(row) % present.size()]];
    picks.push_back(m[(static_cast<size_t>(row) / present.size()) % m.size()]);
  }

  const int h = data.height, w = data.width, z = options.zoom;
  const int pad = 4, label_w = 100, header_h = 28, gap = 16;
  const int tile_h = h * z, tile_w = w * z;
  const int width = label_w + tile_w + gap + options.augmented * (tile_w + pad);
  const int height = header_h + options.count * (tile_h + pad) + pad;
  cv::Mat canvas(height, width, CV_8UC1, cv::Scalar(40));
  const auto text = [&](const std::string& s, int x, int y) {
    cv::putText(canvas, s, {x, y}, cv::FONT_HERSHEY_SIMPLEX, 0.5, cv::Scalar(235), 1, cv::LINE_AA);
  };
  text("original", label_w, header_h - 9);
  text("augmented (seed " + std::to_string(options.seed) + ")", label_w + tile_w + gap, header_h - 9);

  std::vector<float> warped(data.image_bytes());
  std::vector<uint8_t> source(data.image_bytes());
  cv::Mat face(h, w, CV_8UC1), big;
  for (int row = 0; row < options.count; ++row) {
    const size_t i = picks[static_cast<size_t>(row)];
    const int y = header_h + row * (tile_h + pad);
    text(data.class_names[static_cast<size_t>(data.labels[i])], 8, y + tile_h / 2 + 5);
    if (options.equalize)
      equalize_histogram(data.image(i), source.size(), source.data());
    else
      std::copy_n(data.image(i), source.size(), source.data());
    for (int k = 0; k <= options.augmented; ++k) {
      if (k == 0) {
        std::copy_n(source.data(), source.size(), face.data);
      } else {
        const uint64_t stream = (static_cast<uint64_t>(row) << 16) + static_cast<uint64_t>(k);
        augment_image(source.data(), h, w, draw_augmentation(options.augment, options.seed, stream, {h, w}),
                      warped.data());
        for (size_t p = 0; p < warped.size(); ++p)
          face.data[p] = static_cast<uint8_t>(std::clamp(std::lround(warped[p]), 0L, 255L));
      }
      cv::resize(face, big, {tile_w, tile_h}, 0, 0, cv::INTER_NEAREST);
      const int x = k == 0 ? label_w : label_w + tile_w + gap + (k - 1) * (tile_w + pad);
      big.copyTo(canvas(cv::Rect(x, y, tile_w, tile_h)));
    }
  }
  PreviewImage out;
  out.height = height;
  out.width = width;
  out.pixels.assign(canvas.data, canvas.data + static_cast<size_t>(height) * static_cast<size_t>(width));
  return out;
}

void write_preview_png(const PreviewImage& image, const std::string& path) {
  if (image.pixels.size() != static_cast<size_t>(image.height) * static_cast<size_t>(image.width) ||
      image.pixels.empty())
    throw ArgumentError(path + ": preview image has no pixels or the wrong size");
  const cv::Mat m(image.height, image.width, CV_8UC1, const_cast<uint8_t*>(image.pixels.data()));
  write_png(path, m);
}

}  // namespace fermap
