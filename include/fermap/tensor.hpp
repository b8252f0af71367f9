// fermap/tensor.hpp — Shape and Tensor: contiguous float32, channels-last (NHWC), 64-byte aligned.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>

namespace fermap {

// Dimensions of a tensor, rank 0 to 4. Images are [N, H, W, C]; features are [N, F].
// Layers describe one sample (no batch dimension): [H, W, C] or [F].
class Shape {
 public:
  static constexpr int kMaxRank = 4;

  Shape() = default;
  Shape(std::initializer_list<int> dims);

  int rank() const { return rank_; }
  int operator[](int i) const { return dims_[static_cast<size_t>(i)]; }
  int64_t numel() const;
  // A copy with `n` put in front, e.g. batched({48,48,1}, 64) = {64,48,48,1}.
  Shape batched(int n) const;
  // A copy without the first dimension.
  Shape sample() const;
  std::string str() const;  // "(48, 48, 1)"

  bool operator==(const Shape& other) const;
  bool operator!=(const Shape& other) const { return !(*this == other); }

 private:
  std::array<int, kMaxRank> dims_{};
  int rank_ = 0;
};

// Owns a contiguous float32 buffer. Copying copies the data. `resize` keeps the buffer when it is
// already large enough, so a training step that reuses its tensors allocates nothing.
class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(const Shape& shape);  // zero-filled
  Tensor(const Shape& shape, std::initializer_list<float> values);

  Tensor(const Tensor& other);
  Tensor& operator=(const Tensor& other);
  Tensor(Tensor&&) noexcept = default;
  Tensor& operator=(Tensor&&) noexcept = default;

  const Shape& shape() const { return shape_; }
  int dim(int i) const { return shape_[i]; }
  int64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  float* data() { return data_.get(); }
  const float* data() const { return data_.get(); }
  float& operator[](int64_t i) { return data_.get()[i]; }
  float operator[](int64_t i) const { return data_.get()[i]; }

  // Changes the shape; contents are unspecified afterwards unless the size is unchanged.
  void resize(const Shape& shape);
  // Same data, another shape of equal size.
  void reshape(const Shape& shape);
  void fill(float value);
  void zero() { fill(0.0f); }

 private:
  struct AlignedFree {
    void operator()(float* p) const;
  };
  std::unique_ptr<float[], AlignedFree> data_;
  int64_t size_ = 0;
  int64_t capacity_ = 0;
  Shape shape_;
};

// Largest absolute element-wise difference; throws ShapeError when shapes differ.
float max_abs_diff(const Tensor& a, const Tensor& b);
// acc += scale * x, element-wise; throws ShapeError when shapes differ.
void add_scaled(const Tensor& x, float scale, Tensor& acc);

}  // namespace fermap
