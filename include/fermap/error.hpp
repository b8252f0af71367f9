// fermap/error.hpp — the one exception family every fermap failure is reported with.
#pragma once

#include <stdexcept>
#include <string>

namespace fermap {

// Base of every error fermap throws. The message names the file, row or layer at fault.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A file could not be opened, read or written.
class IoError : public Error {
 public:
  using Error::Error;
};

// A file was read but its content is malformed: a bad image, CSV row or model file.
class FormatError : public Error {
 public:
  using Error::Error;
};

// Tensors or layers whose shapes do not fit together.
class ShapeError : public Error {
 public:
  using Error::Error;
};

// A caller passed a value outside what a function accepts.
class ArgumentError : public Error {
 public:
  using Error::Error;
};

}  // namespace fermap
