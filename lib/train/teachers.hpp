// The teachers of a distillation run: trained models whose averaged, softened probabilities on each
// training batch become the student's second target.
#pragma once

#include <string>
#include <vector>

#include "fermap/data/dataset.hpp"
#include "fermap/serialize.hpp"

namespace fermap {

class Teachers {
 public:
  Teachers() = default;
  // Loads every file. Throws fermap::Error naming the file when it cannot be loaded, or when its
  // classes, input shape or preprocessing differ from the student's: the teachers must see the
  // student's batches exactly as they are.
  Teachers(const std::vector<std::string>& paths, const std::vector<std::string>& classes, const Shape& input,
           const Preprocessing& preprocessing);

  bool empty() const { return models_.empty(); }
  // The average over the teachers of softmax(logits / temperature) for the batch x, in inference
  // mode (moving batch-norm statistics, no dropout).
  void probabilities(const Tensor& x, float temperature, Tensor& out);
  // The same for every image of `data`, unaugmented or (tta) averaged over the test-time views:
  // [N, classes], row i for image i. Computed once, these replace a forward pass per step.
  Tensor probabilities(const Dataset& data, bool tta, float temperature) const;
  // A checksum of the teacher files' bytes, in order: what a resumed run must find again.
  const std::string& fingerprint() const { return fingerprint_; }

 private:
  std::vector<Model> models_;
  Preprocessing preprocessing_;  // the student's, which every teacher shares
  std::string fingerprint_;
  Tensor logits_, one_;
};

}  // namespace fermap
