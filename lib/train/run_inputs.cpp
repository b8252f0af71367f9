// What a run learns from: the training and validation images (and any transfer images), and the
// weights it starts from (--init).
#include <algorithm>
#include <unordered_set>

#include "fermap/data/fer2013.hpp"
#include "fermap/data/image_list.hpp"
#include "fermap/error.hpp"
#include "train/class_subset_init.hpp"
#include "train/fingerprint.hpp"
#include "train/run.hpp"

namespace fermap {

namespace {

// What the run trains and validates on, independent of where the folder lives: a checksum of the
// split's pixels and labels. A moved data folder resumes; other images do not.
std::string data_fingerprint(const Dataset& train, const Dataset& val) {
  Fingerprint f;
  for (const Dataset* d : {&train, &val}) {
    f.add({reinterpret_cast<const char*>(d->pixels.data()), d->pixels.size()});
    f.add({reinterpret_cast<const char*>(d->labels.data()), d->labels.size() * sizeof(int)});
  }
  return f.hex();
}

}  // namespace

void TrainingRun::load_data() {
  LoadOptions lo;
  lo.classes = parse_class_list(c_.classes);
  lo.skip_bad = c_.skip_bad;
  LoadReport report;
  const Dataset full = load_dataset(c_.data, "train", lo, &report);
  if (report.skipped) early_log_.push_back(report.summary());
  TrainValSplit split = split_stratified(full, c_.val_fraction, c_.split_seed ? c_.split_seed : c_.seed);
  train_ = std::move(split.train);
  val_ = std::move(split.val);
  if (!c_.exclude.empty()) exclude_listed_images();
  if (train_.size() == 0) throw Error(c_.data + ": no training images");
  result_.validation_images = val_.size();
  std::string counts;
  const auto tc = train_.class_counts(), vc = val_.class_counts();
  for (size_t k = 0; k < train_.class_names.size(); ++k)
    counts += " " + train_.class_names[k] + " " + std::to_string(tc[k]) + "/" + std::to_string(vc[k]);
  early_log_.push_back("data: " + std::to_string(train_.size()) + " train, " + std::to_string(val_.size()) +
             " validation images (train/validation per class:" + counts + ")");
  labeled_classes_ = train_.class_names.size();
  if (!c_.transfer.empty()) add_transfer_images(lo);
  data_fingerprint_ = data_fingerprint(train_, val_);
}

// --exclude: the listed images leave the training part. Listed validation images stay, so that a
// run with the list is measured on the images a run without it is; a name that is none of the
// split's images is refused (a list made with another --data path, or for other classes).
void TrainingRun::exclude_listed_images() {
  const std::vector<ListedImage> list = read_image_list(c_.exclude);
  const std::vector<size_t> in_train = find_listed_images(train_, list), in_val = find_listed_images(val_, list);
  if (in_train.size() + in_val.size() < list.size()) {
    std::unordered_set<std::string> held;
    for (size_t i : in_train) held.insert(train_.sources[i]);
    for (size_t i : in_val) held.insert(val_.sources[i]);
    for (const ListedImage& image : list)
      if (held.count(image.name) == 0)
        throw ArgumentError(c_.exclude + ":" + std::to_string(image.line) + ": " + image.name + " is none of the " +
                            join_class_list(train_.class_names) + " training images of " + c_.data);
  }
  train_ = without_listed_images(train_, list);
  early_log_.push_back("exclude: " + std::to_string(in_train.size()) + " training images left out (listed in " + c_.exclude +
                       ")" + (in_val.empty() ? "" : "; " + std::to_string(in_val.size()) + " listed validation images stay"));
}

// The transfer classes' training images join train_ as extra classes after the labelled ones; the
// batches mark them kUnlabeled. All of them train: none goes to the validation split, which stays
// the labelled classes'.
void TrainingRun::add_transfer_images(LoadOptions lo) {
  lo.classes = parse_class_list(c_.transfer);
  for (const std::string& name : lo.classes)
    if (std::find(train_.class_names.begin(), train_.class_names.end(), name) != train_.class_names.end())
      throw ArgumentError("--transfer: " + name + " is one of the classes the student learns (" +
                          join_class_list(train_.class_names) + "); transfer classes must be others");
  LoadReport report;
  const Dataset transfer = load_dataset(c_.data, "train", lo, &report);
  if (report.skipped) early_log_.push_back("transfer images: " + report.summary());
  if (transfer.size() == 0) throw Error(c_.data + ": no training images of the transfer classes " + join_class_list(lo.classes));
  train_.pixels.insert(train_.pixels.end(), transfer.pixels.begin(), transfer.pixels.end());
  train_.sources.insert(train_.sources.end(), transfer.sources.begin(), transfer.sources.end());
  for (int label : transfer.labels) train_.labels.push_back(static_cast<int>(labeled_classes_) + label);
  train_.class_names.insert(train_.class_names.end(), transfer.class_names.begin(), transfer.class_names.end());
  train_.check();
  std::string counts;
  const auto tc = transfer.class_counts();
  for (size_t k = 0; k < transfer.class_names.size(); ++k) counts += " " + transfer.class_names[k] + " " + std::to_string(tc[k]);
  early_log_.push_back("transfer: " + std::to_string(transfer.size()) + " training images without labels, learnt from the teachers alone (" +
                       counts.substr(1) + ")");
}

void TrainingRun::start_from(const std::string& path) {
  LoadedModel source = load_model(path);
  if (source.meta.classes == meta_.classes) {
    load_into(path, model_);  // refuses another architecture
    early_log_.push_back("init: weights (batch-norm statistics included) from " + path);
    return;
  }
  init_from_class_superset(source, path, model_, meta_.classes);
  early_log_.push_back("init: weights (batch-norm statistics included) from " + path + ", its output layer narrowed from " +
                       join_class_list(source.meta.classes) + " to " + join_class_list(meta_.classes));
}

}  // namespace fermap
