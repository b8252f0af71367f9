// fermap/songs/song.hpp — one track of the song catalogue: its Spotify id, mood label and audio features.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace fermap {

// The four song moods of the "278k Emotion Labeled Spotify Songs" table, numbered as its `labels`
// column numbers them (0 sad, 1 happy, 2 energetic, 3 calm).
enum class Mood { sad = 0, happy = 1, energetic = 2, calm = 3 };
inline constexpr int kMoodCount = 4;

std::string_view mood_name(Mood mood);  // "sad", "happy", "energetic", "calm"
// Case-insensitive name ("Calm", "calm") to mood; nullopt for anything else.
std::optional<Mood> parse_mood(std::string_view name);

// Spotify's audio features as the table gives them: most lie in [0, 1]; loudness is in dB
// (about -60..0), tempo in beats per minute. Columns a table lacks stay 0.
struct SongFeatures {
  float danceability = 0, energy = 0, valence = 0, acousticness = 0, instrumentalness = 0;
  float liveness = 0, speechiness = 0, loudness = 0, tempo = 0, duration_ms = 0;
};

struct Song {
  std::string uri;     // "spotify:track:<id>"
  std::string name;    // empty when the table has no name column
  std::string artist;  // idem
  std::string album;   // idem
  Mood mood = Mood::calm;
  SongFeatures features;

  std::string_view id() const;  // the 22-character track id after "spotify:track:"
  std::string link() const;     // "https://open.spotify.com/track/<id>"
};

// Track id from "spotify:track:<id>", "https://open.spotify.com/track/<id>[?...]" or a bare id
// (letters and digits only); nullopt when the text is none of these.
std::optional<std::string> spotify_track_id(std::string_view ref);

// Features scaled to about [0, 1] for similarity: danceability, energy, valence, acousticness,
// instrumentalness, liveness, speechiness, tempo / 250, (loudness + 60) / 60, clamped.
inline constexpr int kSimilarityDims = 9;
std::array<float, kSimilarityDims> similarity_features(const SongFeatures& f);

}  // namespace fermap
