// fermap data suspects MODEL [MODEL...] --data ROOT --out LIST: the training images whose own label
// the models (averaged, as an ensemble) give a probability below --below, written as an image list
// for `fermap train --exclude` (label_suspects.hpp says why). Only the training part of the first
// model's split is searched: its validation images stay as they are, the yardstick of any run that
// leaves the suspects out.
#include <algorithm>
#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "ensemble.hpp"
#include "recorded_split.hpp"
#include "fermap/label_suspects.hpp"

namespace fermap::cli {

namespace {

struct SuspectFlags {
  std::vector<std::string> models;
  std::string data, out, grid;
  int grid_count = 48;
  float below = 0.1f;
  bool tta = false, skip_bad = false;
  double val_fraction = 0.1;
  uint64_t split_seed = 1;
};

std::string percent_of(size_t part, size_t whole) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %%", whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0);
  return text;
}

void write_suspects(const CLI::App& cmd, SuspectFlags f) {
  const std::vector<LoadedModel> loaded = load_ensemble(f.models);
  const std::string split_line = choose_split(loaded.front().meta, cmd, f.val_fraction, f.split_seed);
  LoadReport report;
  const Dataset full = load_dataset(f.data, "train", ensemble_load_options(loaded, f.skip_bad), &report);
  if (report.skipped) std::cerr << report.summary() << "\n";
  const Dataset train = split_stratified(full, f.val_fraction, f.split_seed).train;

  EvalOptions eo;
  eo.tta = f.tta;
  const std::vector<LabelSuspect> suspects = find_label_suspects(predict_ensemble(model_refs(loaded), train, eo), train, f.below);

  std::string models;
  for (const std::string& path : f.models) models += (models.empty() ? "" : " ") + path;
  char rule[160];
  std::snprintf(rule, sizeof rule, "training images whose label gets a probability below %g%s from the average of:",
                static_cast<double>(f.below), f.tta ? " (test-time augmented)" : "");
  const std::string counts = std::to_string(suspects.size()) + " of " + std::to_string(train.size()) + " (" +
                             percent_of(suspects.size(), train.size()) + ")";
  write_file_atomically(f.out, label_suspect_list(suspects, train, {rule, models, split_line, counts}));

  std::vector<size_t> per_class(train.class_names.size());
  for (const LabelSuspect& s : suspects) ++per_class[static_cast<size_t>(train.labels[s.index])];
  const std::vector<size_t> totals = train.class_counts();
  std::cout << split_line << "\n" << counts << " training images are suspects (" << rule << " " << models << ")\n";
  for (size_t c = 0; c < per_class.size(); ++c)
    std::cout << "  " << train.class_names[c] << ": " << per_class[c] << " of " << totals[c] << " (" << percent_of(per_class[c], totals[c])
              << ")\n";
  std::cout << "wrote " << f.out << " (fermap train --exclude " << f.out << " leaves them out)\n";
  if (f.grid.empty()) return;
  if (suspects.empty()) {
    std::cout << "no suspect, so no " << f.grid << "\n";
    return;
  }
  write_preview_png(label_suspect_grid(train, suspects, f.grid_count), f.grid);
  std::cout << "wrote " << f.grid << " (the " << std::min<size_t>(suspects.size(), static_cast<size_t>(f.grid_count))
            << " least probable labels)\n";
}

}  // namespace

void add_suspects_command(CLI::App& data) {
  auto* cmd = data.add_subcommand(
      "suspects", "List the training images whose label the given models doubt, for fermap train --exclude");
  auto f = std::make_shared<SuspectFlags>();
  cmd->add_option("model", f->models, "Trained model file(s) (.fmp); several are averaged, as an ensemble")->required();
  cmd->add_option("--data", f->data, "Dataset the models were trained on: folder with train/<class>/ or fer2013.csv")->required();
  cmd->add_option("--out", f->out, "The image list to write (written atomically)")->required();
  cmd->add_option("--below", f->below, "A suspect's label gets a probability below this")->capture_default_str()->check(CLI::Range(1e-6, 1.0));
  cmd->add_option("--grid", f->grid, "Also draw the most doubted faces, captioned, into this PNG");
  cmd->add_option("--grid-count", f->grid_count, "Faces in the --grid picture")->capture_default_str()->check(CLI::Range(1, 1000));
  cmd->add_flag("--tta", f->tta, kTtaHelp);
  cmd->add_option("--val-fraction", f->val_fraction,
                  "Validation images to leave unsearched (default: the first model's training split, else 0.1)")
      ->check(CLI::Range(0.0, 0.5));
  cmd->add_option("--split-seed", f->split_seed, "Seed of the validation split (default: the first model's own, else 1)");
  cmd->add_flag("--skip-bad", f->skip_bad, "Skip unreadable images instead of stopping");
  cmd->preparse_callback([f](size_t) { *f = SuspectFlags{}; });
  cmd->callback([f, cmd] { write_suspects(*cmd, *f); });
}

}  // namespace fermap::cli
