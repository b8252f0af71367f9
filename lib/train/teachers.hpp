// The teachers of a distillation run: trained models whose averaged, softened probabilities on each
// training batch become the student's second target.
#pragma once

#include <string>
#include <vector>

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
  // A checksum of the teacher files' bytes, in order: what a resumed run must find again.
  const std::string& fingerprint() const { return fingerprint_; }

 private:
  std::vector<Model> models_;
  std::string fingerprint_;
  Tensor logits_, one_;
};

}  // namespace fermap
