// The files of one training run: log, metrics CSV, curves PNG, checkpoint and best model paths.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fermap/train.hpp"

namespace fermap {

class RunFiles {
 public:
  explicit RunFiles(std::string dir) : dir_(std::move(dir)) {}
  // A new run refuses a folder that already holds a checkpoint (IoError/Error before any work).
  void check_new(bool resume) const;
  // Creates the folder and removes the temporary files of a run killed while it saved.
  void create() const;
  // Appends a line to train.log and prints it on stderr; warns once on stderr when the file cannot
  // be written.
  void log(const std::string& line) const;
  // metrics.csv (rewritten whole, atomically) and curves.png from the history.
  void write_metrics(const std::vector<EpochRecord>& history) const;

  std::string checkpoint() const { return dir_ + "/checkpoint.fmp"; }
  std::string best_model() const { return dir_ + "/best.fmp"; }

 private:
  std::string dir_;
  mutable bool log_failed_ = false;
};

nlohmann::json history_json(const std::vector<EpochRecord>& history);
std::vector<EpochRecord> history_from(const nlohmann::json& j);

}  // namespace fermap
