// Umbrella header: every layer fermap provides.
#pragma once

#include "fermap/layers/batch_norm.hpp"
#include "fermap/layers/conv2d.hpp"
#include "fermap/layers/dense.hpp"
#include "fermap/layers/depthwise_conv2d.hpp"
#include "fermap/layers/dropout.hpp"
#include "fermap/layers/global_avg_pool2d.hpp"
#include "fermap/layers/max_pool2d.hpp"
#include "fermap/layers/relu.hpp"
#include "fermap/layers/reshape.hpp"
#include "fermap/layers/residual_block.hpp"
#include "fermap/layers/separable_conv2d.hpp"
