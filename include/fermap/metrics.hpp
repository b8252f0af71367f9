// Classification metrics: confusion matrix, per-class and macro/weighted precision, recall, F1.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace fermap {

struct ClassMetrics {
  double precision = 0, recall = 0, f1 = 0;
  long support = 0;
};

struct Metrics {
  std::vector<std::string> classes;
  std::vector<std::vector<long>> confusion;  // [actual][predicted]
  std::vector<ClassMetrics> per_class;
  double accuracy = 0;
  ClassMetrics macro, weighted;  // averages over classes (macro) or by support (weighted)
  long total = 0;

  std::string table() const;          // the per-class report and the confusion matrix, as text
  std::string confusion_csv() const;  // "actual\\predicted,angry,..." then one row per class
  nlohmann::json to_json() const;
};

// Throws ArgumentError when a label or prediction is outside the classes or the sizes differ.
Metrics compute_metrics(const std::vector<int>& labels, const std::vector<int>& predictions,
                        const std::vector<std::string>& classes);

}  // namespace fermap
