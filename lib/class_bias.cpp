#include "fermap/class_bias.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "fermap/error.hpp"
#include "fermap/layers/dense.hpp"

namespace fermap {

namespace {

// A probability of exactly 0 (an underflowed softmax) would give an infinite logit.
constexpr double kSmallestProbability = 1e-30;

struct Objective {
  double loss = 0;
  std::vector<double> gradient;                // [classes]
  std::vector<std::vector<double>> hessian;    // [classes][classes]
};

// Mean cross-entropy of softmax(log p + d) and its gradient and Hessian in d.
Objective evaluate_offsets(const std::vector<double>& log_p, const std::vector<int>& labels, int classes,
                           const std::vector<double>& d) {
  Objective o;
  o.gradient.assign(classes, 0.0);
  o.hessian.assign(classes, std::vector<double>(classes, 0.0));
  std::vector<double> q(classes);
  const size_t n = labels.size();
  for (size_t i = 0; i < n; ++i) {
    const double* row = log_p.data() + i * classes;
    double top = -INFINITY;
    for (int c = 0; c < classes; ++c) top = std::max(top, row[c] + d[c]);
    double sum = 0;
    for (int c = 0; c < classes; ++c) sum += q[c] = std::exp(row[c] + d[c] - top);
    for (int c = 0; c < classes; ++c) q[c] /= sum;
    const int y = labels[i];
    o.loss -= row[y] + d[y] - top - std::log(sum);
    for (int c = 0; c < classes; ++c) o.gradient[c] += q[c] - (c == y);
    for (int a = 0; a < classes; ++a)
      for (int b = 0; b < classes; ++b) o.hessian[a][b] += (a == b ? q[a] : 0.0) - q[a] * q[b];
  }
  o.loss /= static_cast<double>(n);
  for (double& g : o.gradient) g /= static_cast<double>(n);
  for (auto& row : o.hessian)
    for (double& h : row) h /= static_cast<double>(n);
  return o;
}

// Solves A x = b for a symmetric positive-definite A by Cholesky (A is classes x classes, tiny).
std::vector<double> solve_positive_definite(std::vector<std::vector<double>> a, std::vector<double> b) {
  const int n = static_cast<int>(b.size());
  for (int j = 0; j < n; ++j) {
    for (int k = 0; k < j; ++k) a[j][j] -= a[j][k] * a[j][k];
    a[j][j] = std::sqrt(std::max(a[j][j], 1e-300));
    for (int i = j + 1; i < n; ++i) {
      for (int k = 0; k < j; ++k) a[i][j] -= a[i][k] * a[j][k];
      a[i][j] /= a[j][j];
    }
  }
  for (int i = 0; i < n; ++i) {  // L y = b
    for (int k = 0; k < i; ++k) b[i] -= a[i][k] * b[k];
    b[i] /= a[i][i];
  }
  for (int i = n - 1; i >= 0; --i) {  // L^T x = y
    for (int k = i + 1; k < n; ++k) b[i] -= a[k][i] * b[k];
    b[i] /= a[i][i];
  }
  return b;
}

double largest_magnitude(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::abs(x));
  return m;
}

}  // namespace

ClassBiasFit fit_class_bias(const Tensor& probabilities, const std::vector<int>& labels) {
  if (probabilities.shape().rank() != 2 || probabilities.dim(0) != static_cast<int>(labels.size()))
    throw ArgumentError("class bias: the probabilities are " + probabilities.shape().str() + " for " +
                        std::to_string(labels.size()) + " labels; they need one row per label");
  if (labels.empty()) throw ArgumentError("class bias: there are no images to fit the offsets on");
  const int classes = probabilities.dim(1);
  for (int y : labels)
    if (y < 0 || y >= classes)
      throw ArgumentError("class bias: label " + std::to_string(y) + " is out of range for " + std::to_string(classes) + " classes");

  std::vector<double> log_p(static_cast<size_t>(probabilities.size()));
  for (size_t i = 0; i < log_p.size(); ++i)
    log_p[i] = std::log(std::max(static_cast<double>(probabilities.data()[i]), kSmallestProbability));

  ClassBiasFit fit;
  fit.offsets.assign(classes, 0.0);
  Objective at = evaluate_offsets(log_p, labels, classes, fit.offsets);
  fit.loss_before = at.loss;
  while (fit.iterations < 100 && largest_magnitude(at.gradient) > 1e-9) {
    // The Hessian is singular along (1, ..., 1), the shift that changes nothing; the gradient is
    // orthogonal to it, so a small ridge gives the Newton step within the other directions.
    for (int c = 0; c < classes; ++c) at.hessian[c][c] += 1e-9;
    const std::vector<double> step = solve_positive_definite(at.hessian, at.gradient);
    // Backtracking: the full Newton step, halved until the loss does not rise.
    double scale = 1;
    std::vector<double> next(classes);
    Objective tried;
    for (;;) {
      for (int c = 0; c < classes; ++c) next[c] = fit.offsets[c] - scale * step[c];
      tried = evaluate_offsets(log_p, labels, classes, next);
      if (tried.loss <= at.loss || scale < 1e-6) break;
      scale /= 2;
    }
    ++fit.iterations;
    if (tried.loss > at.loss) break;  // no step lowers the loss: at a minimum within rounding
    fit.offsets = next;
    at = std::move(tried);
  }
  double mean = 0;
  for (double d : fit.offsets) mean += d / classes;
  for (double& d : fit.offsets) d -= mean;
  fit.loss_after = at.loss;
  return fit;
}

void add_to_output_bias(Model& model, const std::vector<double>& offsets) {
  const std::vector<Layer*> layers = model.all_layers();
  Dense* output = layers.empty() ? nullptr : dynamic_cast<Dense*>(layers.back());
  if (!output) throw ArgumentError("class bias: the model's last layer is not a Dense layer");
  const nlohmann::json config = output->config();
  if (config.value("activation", "") != "linear" || !config.value("use_bias", false))
    throw ArgumentError("class bias: the model's output layer needs a bias and a linear activation (the logits)");
  Tensor& bias = output->bias().value;
  if (static_cast<size_t>(bias.size()) != offsets.size())
    throw ArgumentError("class bias: " + std::to_string(offsets.size()) + " offsets for an output of " +
                        std::to_string(bias.size()) + " classes");
  for (size_t c = 0; c < offsets.size(); ++c) bias.data()[c] += static_cast<float>(offsets[c]);
}

}  // namespace fermap
