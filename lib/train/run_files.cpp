#include "train/run_files.hpp"

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "fermap/error.hpp"
#include "fermap/plot.hpp"
#include "fermap/serialize.hpp"

namespace fermap {

void RunFiles::check_new(bool resume) const {
  if (!resume && std::filesystem::exists(checkpoint()))
    throw Error(dir_ + ": already holds a training run; continue it with --resume or choose another --out");
}

void RunFiles::create() const {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) throw IoError(dir_ + ": cannot create the output folder (" + ec.message() + ")");
  // A run killed mid-save leaves write_file_atomically's temporary file; the file it was replacing
  // is intact.
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec))
    if (is_leftover_temp_file(entry.path().filename().string())) std::filesystem::remove(entry.path(), ec);
}

void RunFiles::log(const std::string& line) const {
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
  std::fprintf(stderr, "%s\n", line.c_str());
  std::ofstream out(dir_ + "/train.log", std::ios::app);
  out << stamp << "  " << line << "\n";
  out.flush();
  // The line is on stderr already; say once that the log file misses it (a full disk, say) rather
  // than stop a run whose checkpoints may still fit.
  if (!out && !log_failed_) {
    log_failed_ = true;
    std::fprintf(stderr, "warning: %s/train.log: cannot append; lines from here on are only on stderr\n", dir_.c_str());
  }
}

void RunFiles::write_metrics(const std::vector<EpochRecord>& history) const {
  std::string csv = "epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds\n";
  Series tl{"train loss", {}}, vl{"val loss", {}}, ta{"train acc", {}}, va{"val acc", {}};
  for (const auto& r : history) {
    char row[200];
    std::snprintf(row, sizeof row, "%d,%.6f,%.6f,%.6f,%.6f,%.6g,%.1f\n", r.epoch, r.train_loss, r.train_accuracy,
                  r.val_loss, r.val_accuracy, r.lr, r.seconds);
    csv += row;
    tl.values.push_back(r.train_loss), vl.values.push_back(r.val_loss);
    ta.values.push_back(r.train_accuracy), va.values.push_back(r.val_accuracy);
  }
  write_file_atomically(dir_ + "/metrics.csv", csv);
  plot_curves_png(dir_ + "/curves.png", "loss", {tl, vl}, "accuracy", {ta, va});
}

nlohmann::json history_json(const std::vector<EpochRecord>& history) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : history)
    out.push_back({r.epoch, r.train_loss, r.train_accuracy, r.val_loss, r.val_accuracy, r.lr, r.seconds});
  return out;
}

std::vector<EpochRecord> history_from(const nlohmann::json& j) {
  std::vector<EpochRecord> out;
  for (const auto& row : j) {
    EpochRecord r;
    r.epoch = row.at(0).get<int>();
    r.train_loss = row.at(1).get<double>(), r.train_accuracy = row.at(2).get<double>();
    r.val_loss = row.at(3).get<double>(), r.val_accuracy = row.at(4).get<double>();
    r.lr = row.at(5).get<double>(), r.seconds = row.at(6).get<double>();
    out.push_back(r);
  }
  return out;
}

}  // namespace fermap
