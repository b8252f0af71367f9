// lib/songs/mood_map.cpp — MoodMap: defaults, parsing "emotion=mood,..." and lookup.
#include "fermap/songs/mood_map.hpp"


#include "fermap/error.hpp"
#include "text.hpp"

namespace fermap {

std::string normalise_emotion(std::string_view emotion) { return detail::normalised_name(emotion); }

MoodMap MoodMap::defaults() {
  MoodMap map;
  map.set("happy", Mood::happy);
  map.set("sad", Mood::sad);
  map.set("angry", Mood::energetic);
  map.set("neutral", Mood::calm);
  return map;
}

MoodMap MoodMap::parse(std::string_view spec, const MoodMap& base) {
  MoodMap map = base;
  while (!spec.empty()) {
    const size_t comma = spec.find(',');
    const std::string_view pair = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    if (normalise_emotion(pair).empty()) continue;
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos)
      throw ArgumentError("mood map: '" + std::string(pair) + "' is not emotion=mood (e.g. angry=calm)");
    const std::string emotion = normalise_emotion(pair.substr(0, eq));
    const std::string mood_text = normalise_emotion(pair.substr(eq + 1));
    if (emotion.empty()) throw ArgumentError("mood map: empty emotion in '" + std::string(pair) + "'");
    const std::optional<Mood> mood = parse_mood(mood_text);
    if (!mood)
      throw ArgumentError("mood map: unknown mood '" + mood_text + "' in '" + std::string(pair) +
                          "' (moods: sad, happy, energetic, calm)");
    map.set(emotion, *mood);
  }
  return map;
}

void MoodMap::set(std::string_view emotion, Mood mood) { entries_[normalise_emotion(emotion)] = mood; }

bool MoodMap::contains(std::string_view emotion) const {
  return entries_.find(normalise_emotion(emotion)) != entries_.end();
}

Mood MoodMap::mood_for(std::string_view emotion) const {
  const auto it = entries_.find(normalise_emotion(emotion));
  if (it != entries_.end()) return it->second;
  std::string known;
  for (const auto& [name, mood] : entries_) known += (known.empty() ? "" : ", ") + name;
  throw ArgumentError("emotion '" + std::string(emotion) + "' has no song mood in the map (mapped: " +
                      (known.empty() ? "none" : known) + "); add one, e.g. " + normalise_emotion(emotion) +
                      "=calm");
}

std::string MoodMap::str() const {
  std::string out;
  for (const auto& [name, mood] : entries_)
    out += (out.empty() ? "" : ",") + name + "=" + std::string(mood_name(mood));
  return out;
}

}  // namespace fermap
