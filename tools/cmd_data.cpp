// fermap data stats|preview: look at a FER2013 copy (image folder or fer2013.csv) before training.
// (`fermap data suspects`, which needs trained models, lives in cmd_suspects.cpp.)
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "fermap/data/fer2013.hpp"
#include "fermap/data/preview.hpp"

namespace fermap::cli {

namespace {

struct DataFlags {
  std::string path;
  std::string classes = "paper";
  bool skip_bad = false;
};

void add_data_flags(CLI::App* cmd, DataFlags& f) {
  cmd->add_option("path", f.path, "FER2013 root (train/ and test/ folders) or fer2013.csv")->required();
  cmd->add_option("--classes", f.classes, "4|paper, 7|all, or names like angry,happy")->capture_default_str();
  cmd->add_flag("--skip-bad", f.skip_bad, "Skip unreadable or malformed images and rows, and count them");
}

Dataset load(const DataFlags& f, const std::string& split) {
  LoadOptions options;
  options.classes = parse_class_list(f.classes);
  options.skip_bad = f.skip_bad;
  LoadReport report;
  Dataset data = load_dataset(f.path, split, options, &report);
  if (report.skipped > 0) std::cerr << split << ": " << report.summary() << "\n";
  return data;
}

}  // namespace

void add_data_command(CLI::App& app) {
  auto* data = app.add_subcommand("data", "Inspect a FER2013 dataset");
  data->require_subcommand(1);

  auto* stats = data->add_subcommand("stats", "Print the number of images per split and class");
  auto stats_flags = std::make_shared<DataFlags>();
  auto splits = std::make_shared<std::vector<std::string>>(std::vector<std::string>{"train", "test"});
  add_data_flags(stats, *stats_flags);
  stats->add_option("--splits", *splits, "Splits to count")->capture_default_str()->delimiter(',');
  stats->callback([stats_flags, splits] {
    std::vector<Dataset> sets;
    for (const auto& s : *splits) sets.push_back(load(*stats_flags, s));
    std::vector<SplitColumn> columns;
    for (size_t k = 0; k < sets.size(); ++k) columns.push_back({(*splits)[k], &sets[k]});
    std::cout << class_count_table(columns);
  });

  auto* preview = data->add_subcommand("preview", "Write a PNG grid of originals beside augmented versions");
  auto preview_flags = std::make_shared<DataFlags>();
  auto opts = std::make_shared<PreviewOptions>();
  auto out = std::make_shared<std::string>();
  auto split = std::make_shared<std::string>("train");
  add_data_flags(preview, *preview_flags);
  preview->add_option("--out", *out, "PNG file to write")->required();
  preview->add_option("--split", *split, "Split to draw images from")->capture_default_str();
  preview->add_option("--count", opts->count, "Images (rows)")->capture_default_str()->check(CLI::Range(1, 200));
  preview->add_option("--augmented", opts->augmented, "Augmented versions per image")->capture_default_str()->check(CLI::Range(1, 20));
  preview->add_option("--zoom", opts->zoom, "Magnification")->capture_default_str()->check(CLI::Range(1, 16));
  preview->add_option("--seed", opts->seed, "Seed for the choice of images and the augmentations")->capture_default_str();
  preview->add_option("--rotation", opts->augment.rotation_deg, "Rotation range in degrees")->capture_default_str()->check(CLI::Range(0.0, 180.0));
  preview->add_option("--shift", opts->augment.width_shift, "Width and height shift range (fraction)")->capture_default_str()->check(CLI::Range(0.0, 0.5));
  preview->add_option("--zoom-range", opts->augment.zoom, "Zoom range: zoom drawn in [1-z, 1+z]")->capture_default_str()->check(CLI::Range(0.0, 0.9));
  preview->add_flag("--flip", opts->augment.horizontal_flip, "Also flip horizontally at random");
  preview->add_flag("--equalize", opts->equalize, "Histogram-equalise each image first, as train --equalize does");
  preview->add_option("--erase", opts->augment.erase, "Probability of random erasing")->capture_default_str()->check(CLI::Range(0.0, 1.0));
  preview->callback([preview_flags, opts, out, split] {
    opts->augment.height_shift = opts->augment.width_shift;
    const Dataset d = load(*preview_flags, *split);
    write_preview_png(augmentation_preview(d, *opts), *out);
    std::cout << "wrote " << *out << " (" << opts->count << " images from " << d.size() << ")\n";
  });

  add_suspects_command(*data);
}

}  // namespace fermap::cli
