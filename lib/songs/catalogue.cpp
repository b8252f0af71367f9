// lib/songs/catalogue.cpp — loads the song table: reads the file whole, finds columns by header
// name, parses numbers with from_chars, skips and reports malformed rows.
#include "fermap/songs/catalogue.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include "fermap/error.hpp"
#include "file_io.hpp"
#include "songs/csv_reader.hpp"
#include "text.hpp"

namespace fermap {

namespace {

struct FeatureColumn {
  std::string_view header;
  float SongFeatures::*field;
};

constexpr FeatureColumn kFeatureColumns[] = {
    {"danceability", &SongFeatures::danceability},
    {"energy", &SongFeatures::energy},
    {"valence", &SongFeatures::valence},
    {"acousticness", &SongFeatures::acousticness},
    {"instrumentalness", &SongFeatures::instrumentalness},
    {"liveness", &SongFeatures::liveness},
    {"speechiness", &SongFeatures::speechiness},
    {"loudness", &SongFeatures::loudness},
    {"tempo", &SongFeatures::tempo},
    {"duration (ms)", &SongFeatures::duration_ms},
    {"duration_ms", &SongFeatures::duration_ms},
    {"length", &SongFeatures::duration_ms},
};

// Where each needed column is in a row; -1 when the table lacks it.
struct ColumnMap {
  SongTableLayout layout = SongTableLayout::labelled_278k;
  size_t width = 0;
  int label = -1, id = -1, name = -1, artist = -1, album = -1;
  std::vector<std::pair<int, float SongFeatures::*>> features;
};

ColumnMap map_columns(const std::vector<std::string_view>& header, const std::string& path) {
  ColumnMap map;
  map.width = header.size();
  auto find = [&](std::string_view want) -> int {
    for (size_t i = 0; i < header.size(); ++i)
      if (detail::normalised_name(header[i]) == want) return static_cast<int>(i);
    return -1;
  };
  if (const int labels = find("labels"); labels >= 0) {
    map.layout = SongTableLayout::labelled_278k;
    map.label = labels;
    map.id = find("uri");
  } else if (const int mood = find("mood"); mood >= 0) {
    map.layout = SongTableLayout::moods;
    map.label = mood;
    map.id = find("id");
  } else {
    throw FormatError(path + ":1: unknown song table layout: expected a 'labels' column (278k layout) "
                      "or a 'mood' column (data_moods layout)");
  }
  if (map.id < 0)
    throw FormatError(path + ":1: the " + std::string(layout_name(map.layout)) + " layout needs a '" +
                      (map.layout == SongTableLayout::moods ? "id" : "uri") + "' column");
  for (const std::string_view needed : {"valence", "energy"})
    if (find(needed) < 0) throw FormatError(path + ":1: missing column '" + std::string(needed) + "'");
  for (const FeatureColumn& column : kFeatureColumns)
    if (const int at = find(column.header); at >= 0) map.features.emplace_back(at, column.field);
  map.name = find("name");
  map.artist = find("artist");
  map.album = find("album");
  return map;
}

bool parse_number(std::string_view text, double& out) {
  text = detail::trim_spaces(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end && std::isfinite(out);
}

std::optional<Mood> parse_label(std::string_view text, SongTableLayout layout) {
  if (layout == SongTableLayout::moods) return parse_mood(detail::trim_spaces(text));
  double value = 0;
  if (!parse_number(text, value) || value != std::floor(value) || value < 0 || value >= kMoodCount)
    return std::nullopt;
  return static_cast<Mood>(static_cast<int>(value));
}

bool blank_record(const std::vector<std::string_view>& fields) {
  return fields.size() == 1 && detail::trim_spaces(fields[0]).empty();
}

}  // namespace

std::string_view layout_name(SongTableLayout layout) {
  return layout == SongTableLayout::moods ? "moods" : "278k";
}

Catalogue Catalogue::load(const std::string& path, const CatalogueOptions& options) {
  return parse(detail::read_whole_file(path, "song table"), path, options);
}

Catalogue Catalogue::parse(std::string_view text, const std::string& path, const CatalogueOptions& options) {
  detail::CsvReader reader(text);
  std::vector<std::string_view> fields;
  fields.reserve(32);
  while (reader.next(fields) && blank_record(fields)) {
  }
  if (fields.empty() || blank_record(fields)) throw FormatError(path + ": empty song table (no header row)");
  const ColumnMap map = map_columns(fields, path);

  Catalogue cat;
  LoadReport& report = cat.report_;
  report.path = path;
  report.layout = map.layout;
  cat.songs_.reserve(text.size() / 120);
  cat.by_uri_.reserve(text.size() / 120);
  auto skip = [&](const std::string& why) {
    ++report.skipped;
    if (report.problems.size() < options.max_reported_problems)
      report.problems.push_back(path + ":" + std::to_string(reader.line()) + ": " + why);
  };

  while (reader.next(fields)) {
    if (blank_record(fields)) continue;
    ++report.rows;
    if (fields.size() != map.width) {
      skip("expected " + std::to_string(map.width) + " fields, found " + std::to_string(fields.size()));
      continue;
    }
    Song song;
    bool ok = true;
    for (const auto& [at, field] : map.features) {
      double value = 0;
      if (!parse_number(fields[static_cast<size_t>(at)], value)) {
        skip("not a number in column " + std::to_string(at + 1) + ": '" +
             std::string(fields[static_cast<size_t>(at)].substr(0, 40)) + "'");
        ok = false;
        break;
      }
      song.features.*field = static_cast<float>(value);
    }
    if (!ok) continue;
    const std::optional<Mood> mood = parse_label(fields[static_cast<size_t>(map.label)], map.layout);
    if (!mood) {
      skip("unknown label '" + std::string(fields[static_cast<size_t>(map.label)].substr(0, 40)) + "'");
      continue;
    }
    const std::optional<std::string> id = spotify_track_id(detail::trim_spaces(fields[static_cast<size_t>(map.id)]));
    if (!id) {
      skip("not a Spotify track id: '" + std::string(fields[static_cast<size_t>(map.id)].substr(0, 60)) + "'");
      continue;
    }
    song.mood = *mood;
    song.uri = "spotify:track:" + *id;
    if (map.name >= 0) song.name = fields[static_cast<size_t>(map.name)];
    if (map.artist >= 0) song.artist = fields[static_cast<size_t>(map.artist)];
    if (map.album >= 0) song.album = fields[static_cast<size_t>(map.album)];
    const auto [it, inserted] = cat.by_uri_.try_emplace(song.uri, static_cast<uint32_t>(cat.songs_.size()));
    if (!inserted) {
      ++report.duplicates;
      if (!options.keep_duplicates) continue;
    }
    cat.songs_.push_back(std::move(song));
  }
  report.loaded = static_cast<int64_t>(cat.songs_.size());
  if (cat.songs_.empty())
    throw FormatError(path + ": no valid song in the table (" + std::to_string(report.rows) + " rows, " +
                      std::to_string(report.skipped) + " malformed" +
                      (report.problems.empty() ? std::string() : "; first: " + report.problems.front()) + ")");
  cat.build_indices();
  return cat;
}

Catalogue Catalogue::from_songs(std::vector<Song> songs, std::string source) {
  Catalogue cat;
  cat.songs_ = std::move(songs);
  cat.report_.path = std::move(source);
  cat.report_.rows = cat.report_.loaded = static_cast<int64_t>(cat.songs_.size());
  for (size_t i = 0; i < cat.songs_.size(); ++i) cat.by_uri_.try_emplace(cat.songs_[i].uri, static_cast<uint32_t>(i));
  cat.build_indices();
  return cat;
}

int64_t Catalogue::index_of(std::string_view uri) const {
  const auto it = by_uri_.find(std::string(uri));
  return it == by_uri_.end() ? -1 : static_cast<int64_t>(it->second);
}

void Catalogue::build_indices() {
  for (auto& list : by_mood_) list.clear();
  for (size_t i = 0; i < songs_.size(); ++i)
    by_mood_[static_cast<int>(songs_[i].mood)].push_back(static_cast<uint32_t>(i));
}

}  // namespace fermap
