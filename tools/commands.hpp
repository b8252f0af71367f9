// The fermap command's subcommands: each file tools/cmd_*.cpp adds one (or a group) to the app.
#pragma once

#include <cmath>

#include <CLI/CLI.hpp>

namespace fermap::cli {

// What CLI11's PositiveNumber and NonNegativeNumber check, with an error that says so instead of
// naming their range in full ("not in range 0.000000 to 17976931348623157...").
inline CLI::Validator number_check(bool zero_allowed) {
  return CLI::Validator(
      [zero_allowed](std::string& text) -> std::string {
        double value = 0;
        if (!CLI::detail::lexical_cast(text, value) || std::isnan(value)) return "Value " + text + " is not a number";
        if (zero_allowed ? value >= 0 : value > 0) return std::string();
        return "Value " + text + (zero_allowed ? " is negative: 0 or more is needed" : " is not positive: more than 0 is needed");
      },
      zero_allowed ? "NONNEGATIVE" : "POSITIVE");
}
inline const CLI::Validator kPositive = number_check(false), kNonNegative = number_check(true);

// --tta, for every command that runs a model on faces.
inline constexpr const char* kTtaHelp =
    "Test-time augmentation: average each face's probabilities over ten views (small shifts and mirror images)";

void add_summary_command(CLI::App& app);
void add_data_command(CLI::App& app);
void add_suspects_command(CLI::App& data);  // under `data`
void add_train_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_calibrate_command(CLI::App& app);
void add_average_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_recommend_command(CLI::App& app);
void add_serve_command(CLI::App& app);

}  // namespace fermap::cli
