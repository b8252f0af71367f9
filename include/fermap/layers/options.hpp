// Options shared by several layers: padding and the activation a layer may apply to its output.
#pragma once

#include <string>

namespace fermap {

enum class Padding { same, valid };
enum class Activation { linear, relu };

// How a layer's kernel is drawn when the layer is built (Keras' names). Glorot suits shallow or
// batch-normalised networks; He keeps the signal's scale through a deep stack of plain ReLU
// layers (VGG16). Only a fresh model uses it: loading a model or checkpoint replaces the kernel,
// so model files do not record it.
enum class KernelInit { glorot_uniform, he_uniform };

std::string to_string(Padding p);
std::string to_string(Activation a);
Padding parse_padding(const std::string& s);        // throws ArgumentError
Activation parse_activation(const std::string& s);  // throws ArgumentError

struct Size2 {
  int h = 1, w = 1;
};

}  // namespace fermap
