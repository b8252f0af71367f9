// Shape and Tensor storage.
#include "fermap/tensor.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "fermap/error.hpp"
#include "tensor_limit.hpp"

namespace fermap {

namespace detail {

namespace {
thread_local TensorAllocationLimit* t_limit = nullptr;
}  // namespace

TensorAllocationLimit::TensorAllocationLimit(int64_t bytes, std::string what)
    : left_(bytes), what_(std::move(what)), outer_(t_limit) {
  t_limit = this;
}

TensorAllocationLimit::~TensorAllocationLimit() { t_limit = outer_; }

void TensorAllocationLimit::charge(int64_t bytes) {
  TensorAllocationLimit* limit = t_limit;
  if (!limit) return;
  if (bytes > limit->left_)
    throw FormatError(limit->what_ + ": the architecture needs more memory than the file's weights could fill "
                      "(a tensor of " + std::to_string(bytes) + " bytes); the file is corrupt or not a fermap model");
  limit->left_ -= bytes;
}

}  // namespace detail

Shape::Shape(std::initializer_list<int> dims) {
  if (dims.size() > static_cast<size_t>(kMaxRank))
    throw ShapeError("shape of rank " + std::to_string(dims.size()) + " exceeds the maximum of 4");
  for (int d : dims) {
    if (d < 0) throw ShapeError("negative dimension " + std::to_string(d) + " in shape");
    dims_[static_cast<size_t>(rank_++)] = d;
  }
}

int64_t Shape::numel() const {
  int64_t n = 1;
  for (int i = 0; i < rank_; ++i)
    if (__builtin_mul_overflow(n, static_cast<int64_t>(dims_[static_cast<size_t>(i)]), &n))
      throw ShapeError("shape " + str() + " has more elements than a 64-bit count holds");
  return n;
}

Shape Shape::batched(int n) const {
  if (rank_ >= kMaxRank) throw ShapeError("cannot add a batch dimension to " + str());
  Shape s;
  s.rank_ = rank_ + 1;
  s.dims_[0] = n;
  for (int i = 0; i < rank_; ++i) s.dims_[static_cast<size_t>(i + 1)] = dims_[static_cast<size_t>(i)];
  return s;
}

Shape Shape::sample() const {
  if (rank_ == 0) throw ShapeError("a scalar shape has no batch dimension");
  Shape s;
  s.rank_ = rank_ - 1;
  for (int i = 1; i < rank_; ++i) s.dims_[static_cast<size_t>(i - 1)] = dims_[static_cast<size_t>(i)];
  return s;
}

std::string Shape::str() const {
  std::string s = "(";
  for (int i = 0; i < rank_; ++i) {
    if (i) s += ", ";
    s += std::to_string(dims_[static_cast<size_t>(i)]);
  }
  return s + ")";
}

bool Shape::operator==(const Shape& other) const {
  if (rank_ != other.rank_) return false;
  for (int i = 0; i < rank_; ++i)
    if (dims_[static_cast<size_t>(i)] != other.dims_[static_cast<size_t>(i)]) return false;
  return true;
}

void Tensor::AlignedFree::operator()(float* p) const { std::free(p); }

Tensor::Tensor(const Shape& shape) {
  resize(shape);
  zero();
}

Tensor::Tensor(const Shape& shape, std::initializer_list<float> values) : Tensor(shape) {
  if (static_cast<int64_t>(values.size()) != size_)
    throw ShapeError("tensor of shape " + shape.str() + " needs " + std::to_string(size_) +
                     " values, got " + std::to_string(values.size()));
  std::copy(values.begin(), values.end(), data());
}

Tensor::Tensor(const Tensor& other) { *this = other; }

Tensor& Tensor::operator=(const Tensor& other) {
  if (this == &other) return *this;
  if (other.size_ == 0) {  // an empty tensor stays empty (a rank-0 shape would mean one scalar)
    shape_ = other.shape_;
    size_ = 0;
    return *this;
  }
  resize(other.shape_);
  if (size_) std::memcpy(data(), other.data(), static_cast<size_t>(size_) * sizeof(float));
  return *this;
}

void Tensor::resize(const Shape& shape) {
  const int64_t n = shape.numel();
  if (n > capacity_) {
    // Round up to whole 64-byte lines: aligned_alloc requires a multiple of the alignment.
    if (n > (INT64_MAX - 63) / static_cast<int64_t>(sizeof(float)))
      throw ShapeError("tensor of shape " + shape.str() + " is too large to allocate");
    const size_t bytes = (static_cast<size_t>(n) * sizeof(float) + 63) / 64 * 64;
    detail::TensorAllocationLimit::charge(static_cast<int64_t>(bytes));
    float* p = static_cast<float*>(std::aligned_alloc(64, bytes));
    if (!p) throw std::bad_alloc();
    data_.reset(p);
    capacity_ = static_cast<int64_t>(bytes / sizeof(float));
  }
  shape_ = shape;
  size_ = n;
}

void Tensor::reshape(const Shape& shape) {
  if (shape.numel() != size_)
    throw ShapeError("cannot reshape " + shape_.str() + " to " + shape.str());
  shape_ = shape;
}

void Tensor::fill(float value) { std::fill(data(), data() + size_, value); }

float max_abs_diff(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape())
    throw ShapeError("compared tensors differ in shape: " + a.shape().str() + " vs " + b.shape().str());
  float m = 0.0f;
  for (int64_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

void add_scaled(const Tensor& x, float scale, Tensor& acc) {
  if (x.shape() != acc.shape())
    throw ShapeError("added tensors differ in shape: " + x.shape().str() + " vs " + acc.shape().str());
  const float* src = x.data();
  float* dst = acc.data();
  for (int64_t i = 0; i < x.size(); ++i) dst[i] += scale * src[i];
}

}  // namespace fermap
