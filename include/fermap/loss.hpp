// Softmax cross-entropy over logits [N, K], optionally label-smoothed and class-weighted; the
// distillation loss against a teacher's softened probabilities; and the L2 penalty Keras adds for
// regularised kernels.
#pragma once

#include <vector>

#include "fermap/model.hpp"

namespace fermap {

struct CrossEntropyOptions {
  float label_smoothing = 0.0f;     // target = (1-s)*onehot + s/K
  std::vector<float> class_weights;  // empty: all 1. Loss = sum_i w[y_i] * loss_i / N (Keras)
};

// The label of a row that has none (a transfer image of a distillation run, learnt from the
// teachers alone): it adds nothing to the cross-entropy or its gradient, and the mean stays over
// all N rows, so each labelled row weighs the same with or without unlabelled rows beside it.
constexpr int kUnlabeled = -1;

// Returns the mean loss and writes dL/dlogits into `dlogits` (resized to logits' shape).
// Throws ArgumentError on a label outside [0, K) other than kUnlabeled.
double softmax_cross_entropy(const Tensor& logits, const std::vector<int>& labels,
                             const CrossEntropyOptions& options, Tensor& dlogits);

// Row-wise softmax of logits [N, K] / temperature, numerically stable.
void softmax(const Tensor& logits, Tensor& probabilities, float temperature = 1.0f);

// Knowledge distillation (Hinton et al., 2015): the mean over the rows of
//   T^2 * KL(teacher_i || softmax(z_i / T)),
// where teacher [N, K] holds the teacher's probabilities at the same temperature T. The T^2 keeps
// the gradient's scale independent of T. Zero when the student matches the teacher. Returns the
// loss and writes dL/dlogits = T * (softmax(z / T) - teacher) / N into `dlogits`.
// Throws ShapeError on mismatched shapes, ArgumentError on a temperature that is not positive.
double distillation_loss(const Tensor& logits, const Tensor& teacher, float temperature, Tensor& dlogits);

// Keras L2: penalty = lambda * sum w^2 over the kernels (params with l2 set).
double l2_penalty(const std::vector<NamedParam>& params, float lambda);
// Adds the penalty's gradient 2 * lambda * w to those kernels' grads.
void add_l2_gradient(const std::vector<NamedParam>& params, float lambda);

}  // namespace fermap
