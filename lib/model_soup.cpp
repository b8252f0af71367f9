#include "fermap/model_soup.hpp"

#include <cstdint>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "fermap/error.hpp"

namespace fermap {

void average_weights(const std::vector<Model*>& models) {
  if (models.empty()) throw ArgumentError("average_weights: no models to average");
  std::vector<std::vector<NamedParam>> params;
  for (Model* model : models) params.push_back(model->params());
  const std::vector<NamedParam>& soup = params[0];
  for (size_t m = 1; m < models.size(); ++m) {
    if (params[m].size() != soup.size())
      throw ArgumentError("average_weights: model " + std::to_string(m) + " has " + std::to_string(params[m].size()) +
                          " parameters, model 0 has " + std::to_string(soup.size()));
    for (size_t i = 0; i < soup.size(); ++i) {
      const NamedParam& theirs = params[m][i];
      if (theirs.name != soup[i].name || theirs.param->value.shape() != soup[i].param->value.shape())
        throw ArgumentError("average_weights: parameter " + std::to_string(i) + " of model " + std::to_string(m) + " is " +
                            theirs.name + " " + theirs.param->value.shape().str() + ", of model 0 " + soup[i].name + " " +
                            soup[i].param->value.shape().str());
    }
  }
  // Summed in double, so that the mean of many models loses no more than one float rounding.
  const double count = static_cast<double>(models.size());
  for (size_t i = 0; i < soup.size(); ++i) {
    float* out = soup[i].param->value.data();
    const int64_t n = soup[i].param->value.size();
    for (int64_t j = 0; j < n; ++j) {
      double sum = 0;
      for (const std::vector<NamedParam>& model : params) sum += model[i].param->value.data()[j];
      out[j] = static_cast<float>(sum / count);
    }
  }
}

LoadedModel average_model_files(const std::vector<std::string>& paths, std::vector<ModelMeta>* metas) {
  if (paths.size() < 2) throw ArgumentError("averaging weights needs at least two model files");
  LoadedModel soup = load_model(paths[0]);
  if (metas) *metas = {soup.meta};
  std::vector<LoadedModel> others;
  for (size_t k = 1; k < paths.size(); ++k) {
    LoadedModel loaded = load_model(paths[k]);
    if (loaded.model.architecture() != soup.model.architecture())
      throw FormatError(paths[k] + ": holds a different architecture than " + paths[0]);
    if (loaded.meta.classes != soup.meta.classes)
      throw FormatError(paths[k] + ": its classes differ from those of " + paths[0]);
    if (loaded.meta.preprocessing != soup.meta.preprocessing)
      throw FormatError(paths[k] + ": its preprocessing differs from that of " + paths[0]);
    if (metas) metas->push_back(loaded.meta);
    others.push_back(std::move(loaded));
  }
  std::vector<Model*> models{&soup.model};
  for (LoadedModel& other : others) models.push_back(&other.model);
  average_weights(models);
  return soup;
}

}  // namespace fermap
