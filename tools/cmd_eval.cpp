// fermap eval MODEL [MODEL...] --data ROOT: accuracy, per-class report, confusion matrix (text, CSV,
// PNG) of one model or of an ensemble (the average of the models' probabilities).
#include <iostream>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "ensemble.hpp"
#include "fermap/evaluate.hpp"
#include "fermap/plot.hpp"

namespace fermap::cli {

void add_eval_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("eval", "Evaluate a model (or an ensemble of models) on a dataset's test split");
  struct Flags {
    std::vector<std::string> models;
    std::string data, split = "test", confusion_csv, confusion_png;
    bool tta = false, json = false, skip_bad = false;
    int batch = 256;
  };
  auto f = std::make_shared<Flags>();
  cmd->add_option("model", f->models, "Model file (.fmp); several: evaluate their ensemble (averaged probabilities)")
      ->required();
  cmd->add_option("--data", f->data, "Dataset: folder with test/<class>/ or fer2013.csv")->required();
  cmd->add_option("--split", f->split, "test (default) or train");
  cmd->add_flag("--tta", f->tta, kTtaHelp);
  cmd->add_flag("--json", f->json, "Print the metrics as JSON");
  cmd->add_option("--confusion-csv", f->confusion_csv, "Write the confusion matrix as CSV");
  cmd->add_option("--confusion-png", f->confusion_png, "Write the confusion matrix as a PNG heat map");
  cmd->add_option("--batch", f->batch)->check(kPositive);
  cmd->add_flag("--skip-bad", f->skip_bad, "Skip unreadable images instead of stopping");
  cmd->callback([f] {
    const std::vector<LoadedModel> loaded = load_ensemble(f->models);
    const LoadOptions lo = ensemble_load_options(loaded, f->skip_bad);
    LoadReport report;
    const Dataset data = load_dataset(f->data, f->split, lo, &report);
    if (report.skipped) std::cerr << report.summary() << "\n";
    EvalOptions eo;
    eo.tta = f->tta;
    eo.batch = f->batch;
    const Evaluation e = evaluate(model_refs(loaded), data, eo);
    std::string names;
    for (const std::string& path : f->models) {
      if (!names.empty()) names += " + ";
      names += path;
    }
    if (!f->confusion_csv.empty()) write_file_atomically(f->confusion_csv, e.metrics.confusion_csv());
    if (!f->confusion_png.empty())
      plot_confusion_png(f->confusion_png, e.metrics, "fermap " + names + (f->tta ? " (TTA)" : ""));
    if (f->json) {
      nlohmann::json j = e.metrics.to_json();
      j["loss"] = e.loss;
      if (f->models.size() == 1) j["model"] = f->models.front();
      j["models"] = f->models;
      j["tta"] = f->tta;
      std::cout << j.dump(2) << "\n";
      return;
    }
    std::cout << (f->models.size() == 1 ? "model " : "ensemble ") << names << " on " << data.size() << " " << f->split << " images"
              << (f->tta ? " (test-time augmentation)" : "") << "\nloss " << e.loss << "\n\n"
              << e.metrics.table();
  });
}

}  // namespace fermap::cli
