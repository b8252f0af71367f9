// The paper's three models, built and initialised: custom_cnn (1,371,300 parameters), and VGG16 /
// ResNet50 trimmed for 48x48 faces (14,979,396 and 23,595,908 parameters with 4 classes).
#pragma once

#include <string>
#include <vector>

#include "fermap/model.hpp"

namespace fermap {

struct ZooOptions {
  int classes = 4;
  uint64_t seed = 0;
};

// The paper's Figure 4 / Table 3: 48x48x1 input.
Model custom_cnn(const ZooOptions& options = {});
// The same layers with 1.5x the channels (48, 96, 144, 144, 192, 192, dense 384): not the paper's,
// a stronger and different teacher to distil the custom CNN from.
Model custom_cnn_wide(const ZooOptions& options = {});
// The 13 convolutions of VGG16 -> Flatten(512) -> Dense 512 -> Dense classes; 48x48x3 input. No
// batch normalisation, so the ReLU layers start from He-uniform kernels (see lib/zoo.cpp).
Model vgg16(const ZooOptions& options = {});
// The Keras ResNet50 body -> GlobalAveragePooling -> Dropout 0.5 -> Dense classes; 48x48x3 input.
Model resnet50(const ZooOptions& options = {});

std::vector<std::string> zoo_names();  // {"custom_cnn", "custom_cnn_wide", "vgg16", "resnet50"}
// By name; throws ArgumentError listing the names for an unknown one.
Model make_zoo_model(const std::string& name, const ZooOptions& options = {});

}  // namespace fermap
