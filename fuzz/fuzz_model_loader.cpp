// libFuzzer target: model files (load_model_from_bytes), then, for a file that loads as an image
// classifier with a small input, one prediction. A random input almost never ends with a valid
// checksum, so each input is also tried with its checksum appended: that lets the fuzzer reach the
// header, the tensor list and the architecture behind the checksum. Every rejection must be a
// fermap::Error; any other exception, crash or sanitizer report is a finding.
#include <cstdint>
#include <cstring>
#include <string>

#include "fermap/classifier.hpp"
#include "fermap/error.hpp"
#include "fermap/serialize.hpp"

namespace {

void try_file(const std::string& bytes) {
  try {
    fermap::LoadedModel loaded = fermap::load_model_from_bytes(bytes, "fuzz.fmp");
    fermap::check_classifier_model(loaded, "fuzz.fmp");
    const int side = loaded.model.input_shape()[0];
    if (side > 64) return;  // a prediction that large would only slow the fuzzer down
    const fermap::Classifier classifier(std::move(loaded.model), std::move(loaded.meta));
    fermap::Tensor faces(fermap::Shape{2, side, side, 1});
    faces.fill(128.0f);
    classifier.predict(faces);
  } catch (const fermap::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  try_file(bytes);
  const uint64_t checksum = fermap::model_file_checksum(bytes);
  char tail[sizeof checksum];
  std::memcpy(tail, &checksum, sizeof checksum);
  bytes.append(tail, sizeof tail);
  try_file(bytes);
  return 0;
}
