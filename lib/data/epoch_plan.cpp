// plan_epoch (none / paper / sampler balancing), class_weights and the Balance names.
#include <algorithm>
#include <limits>

#include "fermap/data/batch.hpp"
#include "fermap/error.hpp"
#include "fermap/rng.hpp"

namespace fermap {

namespace {

template <class T>
void shuffle(std::vector<T>& v, Rng& rng) {
  for (size_t k = v.size(); k > 1; --k) std::swap(v[k - 1], v[rng.below(k)]);
}

// Appends `count` items drawn from `members` in cycles, each cycle a fresh shuffle. Items of the
// first cycle get `first_augment`; repeats are always augmented.
void draw_cycles(std::vector<uint32_t> members, size_t count, bool first_augment, Rng& rng,
                 std::vector<EpochItem>& out) {
  bool first_cycle = true;
  for (size_t taken = 0; taken < count && !members.empty(); first_cycle = false) {
    shuffle(members, rng);
    for (size_t k = 0; k < members.size() && taken < count; ++k, ++taken)
      out.push_back({members[k], first_cycle ? first_augment : true, 0});
  }
}

}  // namespace

Balance parse_balance(const std::string& name) {
  if (name == "none") return Balance::none;
  if (name == "paper") return Balance::paper;
  if (name == "sampler") return Balance::sampler;
  throw ArgumentError("balance '" + name + "' is not none, paper or sampler");
}

const char* balance_name(Balance balance) {
  switch (balance) {
    case Balance::none: return "none";
    case Balance::paper: return "paper";
    case Balance::sampler: return "sampler";
  }
  return "?";
}

std::vector<EpochItem> plan_epoch(const Dataset& data, Balance balance, bool augment_all,
                                  uint64_t seed, uint64_t epoch) {
  if (data.size() > std::numeric_limits<uint32_t>::max() / 16)
    throw ArgumentError("plan_epoch: dataset of " + std::to_string(data.size()) + " images is too large");
  std::vector<std::vector<uint32_t>> members(data.class_names.size());
  for (size_t i = 0; i < data.size(); ++i) {
    const int label = data.labels[i];
    if (label < 0 || static_cast<size_t>(label) >= members.size())
      throw ArgumentError("plan_epoch: label " + std::to_string(label) + " of image " +
                          std::to_string(i) + " is out of range");
    members[static_cast<size_t>(label)].push_back(static_cast<uint32_t>(i));
  }
  Rng rng(mix64(seed ^ mix64(0xE0C4'0000'0000ull ^ epoch)));
  std::vector<EpochItem> items;

  if (balance == Balance::none) {
    items.reserve(data.size());
    for (size_t i = 0; i < data.size(); ++i) items.push_back({static_cast<uint32_t>(i), augment_all, 0});
  } else if (balance == Balance::paper) {
    size_t largest = 0;
    for (const auto& m : members) largest = std::max(largest, m.size());
    for (const auto& m : members) {
      if (m.empty()) continue;
      for (uint32_t i : m) items.push_back({i, augment_all, 0});
      draw_cycles(m, 2 * largest - m.size(), true, rng, items);
    }
  } else {
    std::vector<size_t> present;
    for (size_t c = 0; c < members.size(); ++c)
      if (!members[c].empty()) present.push_back(c);
    if (!present.empty()) {
      const size_t base = data.size() / present.size(), extra = data.size() % present.size();
      std::vector<size_t> order = present;
      shuffle(order, rng);
      for (size_t k = 0; k < order.size(); ++k)
        draw_cycles(members[order[k]], base + (k < extra ? 1 : 0), augment_all, rng, items);
    }
  }

  shuffle(items, rng);
  for (size_t p = 0; p < items.size(); ++p) items[p].position = static_cast<uint32_t>(p);
  return items;
}

std::vector<float> class_weights(const Dataset& data) {
  const std::vector<size_t> counts = data.class_counts();
  const auto present = static_cast<size_t>(std::count_if(counts.begin(), counts.end(), [](size_t n) { return n > 0; }));
  std::vector<float> weights(counts.size(), 0.0f);
  for (size_t c = 0; c < counts.size(); ++c)
    if (counts[c] > 0)
      weights[c] = static_cast<float>(static_cast<double>(data.size()) /
                                      (static_cast<double>(present) * static_cast<double>(counts[c])));
  return weights;
}

}  // namespace fermap
