// Starting a run from a model trained on more classes, e.g. all seven FER2013 emotions before a
// four-class fine-tune. Every weight carries over; the output layer keeps only the units of this
// run's classes, so the new model's logits are the old model's logits for those classes, and the
// fine-tune starts from the same four-way decisions the old model would make.
#pragma once

#include <string>
#include <vector>

#include "fermap/serialize.hpp"

namespace fermap {

// Copies `source` (loaded from `source_path`, named in errors; only read) into `target`, a model of
// the same architecture except for its output layer, which must be a Dense layer with one unit per
// class. Every class of `target_classes` must be one of `source.meta.classes`, in any order.
// Parameters, batch-norm moving statistics and layer state (dropout call counts) are copied.
// Throws FormatError naming the file: a class it lacks, another architecture.
void init_from_class_superset(LoadedModel& source, const std::string& source_path, Model& target,
                              const std::vector<std::string>& target_classes);

}  // namespace fermap
