// fermap average MODEL MODEL... --out OUT: the uniform average of fine-tunes of one model's
// weights, a "model soup" (model_soup.hpp says why), written as one model of the same size.
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "fermap/model_soup.hpp"
#include "recorded_split.hpp"

namespace fermap::cli {

namespace {

struct AverageFlags {
  std::vector<std::string> models;
  std::string out;
};

void average(const AverageFlags& f) {
  std::vector<ModelMeta> metas;
  LoadedModel soup = average_model_files(f.models, &metas);

  // An ingredient trained on other validation images (or on all of them) has seen the images the
  // soup's validation accuracy is measured on, which then flatters it.
  const std::optional<RecordedSplit> first_split = recorded_split(metas[0]);
  for (size_t k = 1; k < metas.size(); ++k)
    if (recorded_split(metas[k]) != first_split)
      std::cerr << "warning: " << f.models[k] << " was trained on another training/validation split than " << f.models[0]
                << ", so the average's accuracy on " << f.models[0] << "'s validation images is optimistic\n";

  if (!soup.meta.extra.is_object()) soup.meta.extra = nlohmann::json::object();
  soup.meta.extra["weight_average"] = {{"models", f.models}};
  save_model(f.out, soup.model, soup.meta);
  std::cout << "averaged the weights of " << f.models.size() << " models ("
            << with_commas(soup.model.count_params()) << " parameters each)\n"
            << "wrote " << f.out << "\n"
            << "its batch-norm statistics are the average of the models' own; recompute them for the averaged weights:\n"
            << "  fermap calibrate " << f.out << " --data DATA --out " << f.out << "\n";
}

}  // namespace

void add_average_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "average",
      "Average the weights of several fine-tunes of one model (a model soup): one model of the same size");
  auto f = std::make_shared<AverageFlags>();
  cmd->add_option("models", f->models, "Two or more model files (.fmp) of one architecture, fine-tuned from one model")
      ->required()
      ->expected(2, -1);
  cmd->add_option("--out", f->out, "Where to write the averaged model (written atomically)")->required();
  cmd->preparse_callback([f](size_t) { *f = AverageFlags{}; });
  cmd->callback([f] { average(*f); });
}

}  // namespace fermap::cli
