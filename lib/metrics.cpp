#include "fermap/metrics.hpp"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "fermap/error.hpp"

namespace fermap {

Metrics compute_metrics(const std::vector<int>& labels, const std::vector<int>& predictions,
                        const std::vector<std::string>& classes) {
  if (labels.size() != predictions.size())
    throw ArgumentError("metrics: " + std::to_string(labels.size()) + " labels but " +
                        std::to_string(predictions.size()) + " predictions");
  const int k = static_cast<int>(classes.size());
  Metrics m;
  m.classes = classes;
  m.confusion.assign(static_cast<size_t>(k), std::vector<long>(static_cast<size_t>(k), 0));
  for (size_t i = 0; i < labels.size(); ++i) {
    const int a = labels[i], p = predictions[i];
    if (a < 0 || a >= k || p < 0 || p >= k) throw ArgumentError("metrics: class index outside the classes");
    ++m.confusion[static_cast<size_t>(a)][static_cast<size_t>(p)];
  }
  m.total = static_cast<long>(labels.size());
  long correct = 0;
  m.per_class.resize(static_cast<size_t>(k));
  for (int c = 0; c < k; ++c) {
    long predicted = 0, actual = 0;
    for (int j = 0; j < k; ++j) {
      predicted += m.confusion[static_cast<size_t>(j)][static_cast<size_t>(c)];
      actual += m.confusion[static_cast<size_t>(c)][static_cast<size_t>(j)];
    }
    const long tp = m.confusion[static_cast<size_t>(c)][static_cast<size_t>(c)];
    correct += tp;
    ClassMetrics& cm = m.per_class[static_cast<size_t>(c)];
    cm.support = actual;
    cm.precision = predicted ? static_cast<double>(tp) / predicted : 0.0;
    cm.recall = actual ? static_cast<double>(tp) / actual : 0.0;
    cm.f1 = cm.precision + cm.recall > 0 ? 2 * cm.precision * cm.recall / (cm.precision + cm.recall) : 0.0;
    m.macro.precision += cm.precision / k;
    m.macro.recall += cm.recall / k;
    m.macro.f1 += cm.f1 / k;
    if (m.total) {
      const double w = static_cast<double>(actual) / static_cast<double>(m.total);
      m.weighted.precision += w * cm.precision;
      m.weighted.recall += w * cm.recall;
      m.weighted.f1 += w * cm.f1;
    }
  }
  m.macro.support = m.weighted.support = m.total;
  m.accuracy = m.total ? static_cast<double>(correct) / static_cast<double>(m.total) : 0.0;
  return m;
}

std::string Metrics::table() const {
  std::string out;
  char line[160];
  std::snprintf(line, sizeof line, "%-14s%10s%10s%10s%10s\n", "", "precision", "recall", "f1-score", "support");
  out += line;
  for (size_t c = 0; c < classes.size(); ++c) {
    const auto& cm = per_class[c];
    std::snprintf(line, sizeof line, "%-14s%10.4f%10.4f%10.4f%10ld\n", classes[c].c_str(), cm.precision, cm.recall,
                  cm.f1, cm.support);
    out += line;
  }
  std::snprintf(line, sizeof line, "\n%-14s%30.4f%10ld\n", "accuracy", accuracy, total);
  out += line;
  for (const auto& [name, cm] : {std::pair{"macro avg", macro}, std::pair{"weighted avg", weighted}}) {
    std::snprintf(line, sizeof line, "%-14s%10.4f%10.4f%10.4f%10ld\n", name, cm.precision, cm.recall, cm.f1, total);
    out += line;
  }
  out += "\nconfusion matrix (rows: actual, columns: predicted)\n";
  std::snprintf(line, sizeof line, "%-10s", "");
  out += line;
  for (const auto& c : classes) {
    std::snprintf(line, sizeof line, "%9s", c.substr(0, 8).c_str());
    out += line;
  }
  out += "\n";
  for (size_t a = 0; a < classes.size(); ++a) {
    std::snprintf(line, sizeof line, "%-10s", classes[a].substr(0, 9).c_str());
    out += line;
    for (long v : confusion[a]) {
      std::snprintf(line, sizeof line, "%9ld", v);
      out += line;
    }
    out += "\n";
  }
  return out;
}

std::string Metrics::confusion_csv() const {
  std::string out = "actual\\predicted";
  for (const auto& c : classes) {
    out += ',';
    out += c;
  }
  out += "\n";
  for (size_t a = 0; a < classes.size(); ++a) {
    out += classes[a];
    for (long v : confusion[a]) {
      out += ',';
      out += std::to_string(v);
    }
    out += "\n";
  }
  return out;
}

nlohmann::json Metrics::to_json() const {
  auto cls = [](const ClassMetrics& c) {
    return nlohmann::json{{"precision", c.precision}, {"recall", c.recall}, {"f1", c.f1}, {"support", c.support}};
  };
  nlohmann::json per = nlohmann::json::object();
  for (size_t c = 0; c < classes.size(); ++c) per[classes[c]] = cls(per_class[c]);
  return {{"accuracy", accuracy}, {"total", total},        {"classes", classes}, {"per_class", per},
          {"macro", cls(macro)},  {"weighted", cls(weighted)}, {"confusion", confusion}};
}

}  // namespace fermap
