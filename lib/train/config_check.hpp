// The checks a training configuration passes before any data is read: a bad value or a combination
// that cannot work fails with one ArgumentError naming the flag, and leaves nothing behind.
#pragma once

#include "fermap/train.hpp"

namespace fermap {

void check_train_config(const TrainConfig& c);

}  // namespace fermap
