// fermap summary MODEL: the Keras-style table of a zoo model or a saved model file.
#include <iostream>
#include <string>

#include "commands.hpp"
#include "fermap/zoo.hpp"

namespace fermap::cli {

void add_summary_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("summary", "Print a model's layers, output shapes and parameter counts");
  auto name = std::make_shared<std::string>();
  auto classes = std::make_shared<int>(4);
  cmd->add_option("model", *name, "custom_cnn, vgg16 or resnet50")->required();
  cmd->add_option("--classes", *classes, "Number of output classes")->check(CLI::Range(2, 1000));
  cmd->callback([name, classes] {
    ZooOptions options;
    options.classes = *classes;
    Model m = make_zoo_model(*name, options);
    std::cout << "Model: \"" << *name << "\"\n" << m.summary();
  });
}

}  // namespace fermap::cli
