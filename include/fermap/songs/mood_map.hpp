// fermap/songs/mood_map.hpp — which song mood each facial emotion is answered with.
//
// Default (our reading of the paper, which names the emotions and the song labels but not the
// pairing): happy -> happy, sad -> sad, angry -> energetic, neutral -> calm. The paper plays songs
// that "resonate with" the detected emotion, so each emotion gets the mood closest to it; anger,
// high in energy and low in valence, has no negative high-energy label and gets "energetic".
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "fermap/songs/song.hpp"

namespace fermap {

class MoodMap {
 public:
  MoodMap() = default;  // empty: every lookup fails
  static MoodMap defaults();
  // "angry=calm,sad=happy": each pair overrides (or adds to) `base`. Names are trimmed and
  // case-insensitive. ArgumentError on a pair without '=', an empty emotion or an unknown mood.
  static MoodMap parse(std::string_view spec, const MoodMap& base = defaults());

  void set(std::string_view emotion, Mood mood);
  bool contains(std::string_view emotion) const;
  // ArgumentError naming the emotion and the emotions the map knows when it has none.
  Mood mood_for(std::string_view emotion) const;
  const std::map<std::string, Mood, std::less<>>& entries() const { return entries_; }
  std::string str() const;  // "angry=energetic,happy=happy,neutral=calm,sad=sad"

 private:
  std::map<std::string, Mood, std::less<>> entries_;
};

// Lower-cased, trimmed emotion name, the form MoodMap and the targets use.
std::string normalise_emotion(std::string_view emotion);

}  // namespace fermap
