// fermap train: a recipe, the flags given over it (fermap/train_settings.hpp) -> fermap::train.
// Ctrl-C checkpoints and exits with 130.
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "fermap/error.hpp"
#include "fermap/train.hpp"
#include "fermap/train_settings.hpp"
#include "interrupt.hpp"

namespace fermap::cli {

namespace {
// The run's last line before the file paths: how it ended and which epoch best.fmp holds.
std::string outcome(const TrainResult& r) {
  const std::string ended = r.interrupted ? "stopped; " : "done; ";
  if (r.best_epoch == 0) return ended + "no epoch finished yet";
  const std::string epoch = std::to_string(r.best_epoch);
  if (r.validation_images == 0) return ended + "no validation split, so the best model is the last epoch's (" + epoch + ")";
  char accuracy[32];
  std::snprintf(accuracy, sizeof accuracy, "%.4f", r.best_val_accuracy);
  return ended + "best validation accuracy " + accuracy + " at epoch " + epoch;
}

std::string recipe_help() {
  std::string out = "Named settings (explicit flags override them):";
  for (const auto& name : recipe_names()) out += "\n  " + name + ": " + recipe(name).to_text();
  return out;
}

// The CLI11 option for one setting, bound to `value`, with the setting's check.
template <class T>
CLI::Option* add_setting(CLI::App* cmd, const TrainSetting& s, T& value) {
  CLI::Option* option = nullptr;
  if constexpr (std::is_same_v<T, ScheduleKind>) {
    option = cmd->add_option_function<std::string>(s.flag, [&value](const std::string& v) { value = parse_schedule(v); },
                                                   s.help);
  } else if constexpr (std::is_same_v<T, Balance>) {
    option = cmd->add_option_function<std::string>(s.flag, [&value](const std::string& v) { value = parse_balance(v); },
                                                   s.help);
  } else if constexpr (std::is_same_v<T, bool>) {
    option = s.is_switch ? cmd->add_flag(s.flag, value, s.help) : cmd->add_option(s.flag, value, s.help);
  } else {
    option = cmd->add_option(s.flag, value, s.help);
  }
  switch (s.limit) {
    case TrainSetting::Limit::none: break;
    case TrainSetting::Limit::positive: option->check(kPositive); break;
    case TrainSetting::Limit::non_negative: option->check(kNonNegative); break;
    case TrainSetting::Limit::range: option->check(CLI::Range(s.min, s.max)); break;
  }
  if (s.choices) {
    std::vector<std::string> allowed;
    std::istringstream words(s.choices);
    for (std::string w; words >> w;) allowed.push_back(w);
    option->check(CLI::IsMember(allowed));
  }
  if (s.is_required) option->required();
  return option;
}
}  // namespace

void add_train_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("train", "Train a model on FER2013 (image folders or fer2013.csv)");
  cmd->footer(recipe_help());
  struct Flags {
    std::string recipe = "paper";
    bool print_config = false;
    TrainConfig given;  // the values of the flags given; the others keep the recipe's
  };
  auto f = std::make_shared<Flags>();
  cmd->add_option("--recipe", f->recipe, "paper or fast")->check(CLI::IsMember(recipe_names()));
  for_each_train_setting([&](const TrainSetting& s, auto member) { add_setting(cmd, s, f->given.*member); });
  cmd->add_flag("--print-config", f->print_config,
                "Print the run's settings (the recipe with the flags given over it) as JSON, and exit");
  cmd->preparse_callback([f](size_t) { f->given = TrainConfig{}; });
  cmd->callback([f, cmd] {
    TrainConfig c = recipe(f->recipe);
    for_each_train_setting([&](const TrainSetting& s, auto member) {
      if (cmd->count(s.flag) > 0) c.*member = f->given.*member;
    });
    const bool distillation_flags = cmd->count("--distill") + cmd->count("--temperature") + cmd->count("--teacher-targets") > 0;
    if (c.teachers.empty() && distillation_flags)
      throw ArgumentError("--distill, --temperature and --teacher-targets need at least one --teacher");
    if (f->print_config) {
      std::cout << c.to_text(2) << "\n";
      return;
    }
    const std::atomic<bool>& signalled = stop_on_interrupt();
    const TrainResult r = train(c, &signalled);
    std::cout << outcome(r) << "\nbest model: " << r.best_model_path
              << "\ncheckpoint: " << r.checkpoint_path << "\n";
    // Stopped by --max-steps/--max-minutes, the run did what was asked (exit 0). Stopped by a
    // signal, it did not finish: 128 + SIGINT, as a shell reports it, so `train && ship` stops too.
    if (r.interrupted && signalled.load()) throw CLI::RuntimeError(130);
  });
}

}  // namespace fermap::cli
