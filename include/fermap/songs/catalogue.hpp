// fermap/songs/catalogue.hpp — the song table loaded once: all songs, an index per mood and by URI.
//
// Two CSV layouts are read, told apart by the header:
//   278k layout ("278k Emotion Labeled Spotify Songs", 278k_labelled_uri.csv):
//     [Unnamed: 0.1,Unnamed: 0,]duration (ms),danceability,energy,loudness,speechiness,
//     acousticness,instrumentalness,liveness,valence,tempo,spec_rate,labels,uri
//     labels: 0 sad, 1 happy, 2 energetic, 3 calm; uri: spotify:track:<id>
//   moods layout (data_moods.csv): name,album,artist,id,release_date,popularity,length,
//     danceability,acousticness,energy,instrumentalness,liveness,valence,loudness,speechiness,
//     tempo,key,time_signature,mood      mood: Sad, Happy, Energetic or Calm
// Columns are found by name, so their order and extra columns do not matter. Quoted fields (with
// commas, doubled quotes or line breaks), CRLF line ends and a UTF-8 byte-order mark are handled.
// A malformed row (wrong number of fields, a number that is not one, an unknown label, a bad id)
// is skipped and counted; the first few are reported with their line numbers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fermap/songs/song.hpp"

namespace fermap {

enum class SongTableLayout { labelled_278k, moods };
std::string_view layout_name(SongTableLayout layout);  // "278k", "moods"

struct CatalogueOptions {
  size_t max_reported_problems = 5;  // how many skipped rows are described in the report
  bool keep_duplicates = false;      // false: a URI seen before is skipped (and counted)
};

// What loading found: rows read, kept, skipped, and why the first skipped rows were skipped.
struct LoadReport {
  std::string path;
  SongTableLayout layout = SongTableLayout::labelled_278k;
  int64_t rows = 0;        // data rows (header and blank lines excluded)
  int64_t loaded = 0;      // songs kept
  int64_t skipped = 0;     // malformed rows
  int64_t duplicates = 0;  // rows whose URI was already loaded
  std::vector<std::string> problems;  // "file:line: why", the first max_reported_problems
};

class Catalogue {
 public:
  // Reads a CSV table. IoError when the file cannot be read; FormatError (naming the file) when
  // its header fits neither layout or no valid song is left.
  static Catalogue load(const std::string& path, const CatalogueOptions& options = {});
  // Same, from the table's text already in memory; `name` stands for the file in errors.
  static Catalogue parse(std::string_view text, const std::string& name, const CatalogueOptions& options = {});
  // A catalogue over songs built in memory (tests, other sources); `source` names it in errors.
  static Catalogue from_songs(std::vector<Song> songs, std::string source = "<memory>");

  const std::vector<Song>& songs() const { return songs_; }
  size_t size() const { return songs_.size(); }
  const Song& operator[](size_t i) const { return songs_[i]; }
  // Positions in songs() of every song of one mood, in table order.
  const std::vector<uint32_t>& indices_of(Mood mood) const { return by_mood_[static_cast<int>(mood)]; }
  // Position of the song with this URI, or -1.
  int64_t index_of(std::string_view uri) const;
  const LoadReport& report() const { return report_; }
  const std::string& source() const { return report_.path; }

 private:
  void build_indices();

  std::vector<Song> songs_;
  std::vector<uint32_t> by_mood_[kMoodCount];
  std::unordered_map<std::string, uint32_t> by_uri_;
  LoadReport report_;
};

}  // namespace fermap
