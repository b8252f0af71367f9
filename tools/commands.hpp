// The fermap command's subcommands: each file tools/cmd_*.cpp adds one (or a group) to the app.
#pragma once

#include <CLI/CLI.hpp>

namespace fermap::cli {

// --tta, for every command that runs a model on faces.
inline constexpr const char* kTtaHelp =
    "Test-time augmentation: average each face's probabilities over ten views (small shifts and mirror images)";

void add_summary_command(CLI::App& app);
void add_data_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_recommend_command(CLI::App& app);
void add_serve_command(CLI::App& app);

}  // namespace fermap::cli
