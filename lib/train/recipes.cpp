// The named training recipes and the config's JSON form (logged and stored in checkpoints).
#include <charconv>
#include <string>

#include <nlohmann/json.hpp>

#include "fermap/error.hpp"
#include "fermap/train.hpp"
#include "fermap/train_settings.hpp"

namespace fermap {

std::vector<std::string> recipe_names() { return {"paper", "fast"}; }

TrainConfig recipe(const std::string& name) {
  TrainConfig c;
  c.recipe = name;
  if (name == "paper") {
    // Section 3.5 / Table 5: Adam, learning rate 1e-4, batch 64, 60 epochs; section 3.2's
    // augmentation, every class brought to twice the happy class. The paper gives no L2 factor.
    return c;
  }
  if (name == "fast") {
    // Ours: a one-cycle learning rate peaking at 2e-3, every image augmented each epoch with
    // flips, label smoothing, no oversampling (a balanced epoch costs 2.7x the images), and
    // batch-norm statistics recomputed after each epoch (they lag behind fast-moving weights).
    c.epochs = 40;
    c.lr = 2e-3f;
    c.schedule = ScheduleKind::one_cycle;
    c.augment_all = true;
    c.flip = true;
    c.balance = Balance::none;
    c.label_smoothing = 0.1f;
    c.recalibrate_bn = 50;
    return c;
  }
  throw ArgumentError("unknown recipe \"" + name + "\" (expected paper or fast)");
}

namespace {
template <class T>
nlohmann::json setting_json(const T& value) {
  return value;
}
nlohmann::json setting_json(ScheduleKind kind) { return to_string(kind); }
nlohmann::json setting_json(Balance balance) { return balance_name(balance); }
}  // namespace

nlohmann::json TrainConfig::to_json() const {
  nlohmann::json j = {{"recipe", recipe}};
  for_each_train_setting([&](const TrainSetting& s, auto member) {
    if (s.key) j[s.key] = setting_json(this->*member);
  });
  return j;
}

std::string TrainConfig::to_text(int indent) const {
  nlohmann::json j = to_json();
  for (auto& setting : j.items()) {
    nlohmann::json& value = setting.value();
    if (!value.is_number_float()) continue;
    const double exact = value.get<double>();
    const float single = static_cast<float>(exact);
    if (static_cast<double>(single) != exact) continue;  // a double setting, written as it is
    char text[32];
    const auto end = std::to_chars(text, text + sizeof text, single).ptr;
    double shortest = 0;
    std::from_chars(text, end, shortest);
    value = shortest;
  }
  return j.dump(indent);
}

}  // namespace fermap
