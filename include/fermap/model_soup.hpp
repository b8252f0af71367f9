// The uniform average of several trained models' weights: a "model soup" (Wortsman et al., 2022,
// "Model soups: averaging weights of multiple fine-tuned models improves accuracy without
// increasing inference time").
//
// Why: models fine-tuned from one starting point tend to stay in one basin of the loss, so the
// average of their weights is itself a good network, and often a better one than any of them,
// much as an ensemble is better than its members; unlike an ensemble it costs one network's
// inference. Models trained from different random starts do not share a basin, and their average
// is useless: only average fine-tunes of one model.
//
// Batch-norm moving statistics are averaged too, but the statistics of the averaged network are
// not the average of its ingredients' statistics: recompute them afterwards
// (batch_norm_statistics.hpp, `fermap calibrate`).
#pragma once

#include <string>
#include <vector>

#include "fermap/model.hpp"
#include "fermap/serialize.hpp"

namespace fermap {

// Replaces every parameter of models[0] (batch-norm statistics included) by the mean of that
// parameter over all the models. Throws ArgumentError, naming the first parameter that differs,
// when the models do not have the same parameters of the same shapes, or when there are none.
void average_weights(const std::vector<Model*>& models);

// Loads the model files and averages them as above into the first one, whose meta (classes,
// preprocessing, training record) the result keeps. Throws load_model's errors for a file that
// cannot be read or is not a whole model file, FormatError naming a file that holds another
// architecture, other classes or other preprocessing than the first, and ArgumentError when
// fewer than two paths are given. With `metas`, fills it with each file's meta, in the order of
// `paths`.
LoadedModel average_model_files(const std::vector<std::string>& paths, std::vector<ModelMeta>* metas = nullptr);

}  // namespace fermap
