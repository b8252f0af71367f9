// Options shared by several layers: padding and the activation a layer may apply to its output.
#pragma once

#include <string>

namespace fermap {

enum class Padding { same, valid };
enum class Activation { linear, relu };

std::string to_string(Padding p);
std::string to_string(Activation a);
Padding parse_padding(const std::string& s);        // throws ArgumentError
Activation parse_activation(const std::string& s);  // throws ArgumentError

struct Size2 {
  int h = 1, w = 1;
};

}  // namespace fermap
