// fermap summary MODEL: the Keras-style table of a zoo model or of a saved model file (with its classes).
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>

#include "commands.hpp"
#include "fermap/error.hpp"
#include "fermap/serialize.hpp"
#include "fermap/zoo.hpp"

namespace fermap::cli {

void add_summary_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("summary", "Print a model's layers, output shapes and parameter counts");
  auto name = std::make_shared<std::string>();
  auto classes = std::make_shared<int>(4);
  cmd->add_option("model", *name, "custom_cnn, custom_cnn_wide, vgg16, resnet50, or a model file (.fmp)")->required();
  auto* classes_option =
      cmd->add_option("--classes", *classes, "Number of output classes of a zoo model")->check(CLI::Range(2, 1000));
  cmd->callback([name, classes, classes_option] {
    const auto zoo = zoo_names();
    const bool file = std::find(zoo.begin(), zoo.end(), *name) == zoo.end() &&
                      (std::filesystem::exists(*name) || name->find_first_of("/.") != std::string::npos);
    if (file) {
      if (classes_option->count() > 0)
        throw ArgumentError("--classes is for a zoo model; a model file has its own classes (" + *name + ")");
      LoadedModel loaded = load_model(*name);
      std::string class_list;
      for (const auto& c : loaded.meta.classes) {
        if (!class_list.empty()) class_list += ", ";
        class_list += c;
      }
      std::cout << "Model file: " << *name << "\nClasses: " << class_list << "\n" << loaded.model.summary();
      return;
    }
    ZooOptions options;
    options.classes = *classes;
    Model m = make_zoo_model(*name, options);
    std::cout << "Model: \"" << *name << "\"\n" << m.summary();
  });
}

}  // namespace fermap::cli
