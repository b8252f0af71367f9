// Per-class offsets on a trained classifier's logits, fitted on held-out images.
//
// Why: a network's output biases settle where its training loss put them: the class frequencies
// it was trained on, its label smoothing and its teachers' softened targets all move them, and
// nothing after training checks that they suit the images it will see. Adding an offset d_c to
// class c's logit is the one change that leaves every ranking within a class untouched; fitted by
// the cross-entropy of validation images (a convex problem in the offsets) it is the "bias
// correction" form of post-hoc calibration (Alexandari et al., 2020, "Maximum likelihood with
// bias-corrected calibration"). Folded into the last Dense layer's bias, the model stays the same
// network with the same parameter count.
#pragma once

#include <vector>

#include "fermap/model.hpp"
#include "fermap/tensor.hpp"

namespace fermap {

struct ClassBiasFit {
  std::vector<double> offsets;  // one per class, summing to zero (a common shift changes nothing)
  double loss_before = 0;       // mean cross-entropy of the labels, without and with the offsets
  double loss_after = 0;
  int iterations = 0;           // Newton steps taken
};

// The offsets d minimising the mean cross-entropy of softmax(log p_i + d) against the labels, for
// [N, classes] probabilities p (rows of a softmax, as predict_dataset gives). Damped Newton steps
// until the gradient is below 1e-9 or 100 steps. Throws ArgumentError when the shapes disagree, a
// label is out of range or there are no rows.
ClassBiasFit fit_class_bias(const Tensor& probabilities, const std::vector<int>& labels);

// Adds offsets[c] to the bias of the model's output layer, which must be a linear Dense layer with
// a bias of one unit per offset (the classifiers of zoo.hpp end so); throws ArgumentError otherwise.
void add_to_output_bias(Model& model, const std::vector<double>& offsets);

}  // namespace fermap
