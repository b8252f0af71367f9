// A cap on the memory tensors may take while a file is turned into a model (internal).
//
// A model file's architecture could claim a layer of billions of units; building it would
// allocate the claim before the weights are compared with it. Every parameter of a genuine file
// is stored in it, so while a TensorAllocationLimit lives, tensors allocated on this thread may
// together take only what that file could fill; more is a FormatError naming the file.
#pragma once

#include <cstdint>
#include <string>

namespace fermap::detail {

class TensorAllocationLimit {
 public:
  // `bytes` in all for the tensors allocated on this thread while this object lives; `what`
  // starts the error message ("model.fmp").
  TensorAllocationLimit(int64_t bytes, std::string what);
  ~TensorAllocationLimit();
  TensorAllocationLimit(const TensorAllocationLimit&) = delete;
  TensorAllocationLimit& operator=(const TensorAllocationLimit&) = delete;

  // Called by Tensor before it allocates `bytes`; throws FormatError when the cap is exceeded.
  static void charge(int64_t bytes);

 private:
  int64_t left_;
  std::string what_;
  TensorAllocationLimit* outer_;
};

}  // namespace fermap::detail
