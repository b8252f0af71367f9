// fermap/web/history_store.hpp — the web app's memory on disk (SQLite): what the listener liked and
// skipped, and which songs were recommended when. Survives restarts; safe to share between threads.
//
// Schema (user_version 1), created on first open:
//   feedback(id INTEGER PRIMARY KEY, uri TEXT, action TEXT 'like'|'skip', emotion TEXT, at REAL)
//   recommended(id INTEGER PRIMARY KEY, uri TEXT, emotion TEXT, mode TEXT, at REAL)
// `at` is seconds since the Unix epoch. Rows are only ever appended; a song's latest feedback wins.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "fermap/songs/preferences.hpp"

struct sqlite3;

namespace fermap {

enum class Feedback { like, skip };
std::string_view feedback_name(Feedback feedback);              // "like", "skip"
std::optional<Feedback> parse_feedback(std::string_view name);  // nullopt for anything else

struct HistoryCounts {
  int64_t liked = 0;        // songs whose latest feedback is a like
  int64_t skipped = 0;      // songs whose latest feedback is a skip
  int64_t recommended = 0;  // recommendations ever made (rows)
};

class HistoryStore {
 public:
  // Opens (creating when missing) the database at `path`; ":memory:" keeps it in memory. The folder
  // must exist. IoError naming the path when SQLite cannot open it or it is not our schema.
  explicit HistoryStore(const std::string& path);
  ~HistoryStore();
  HistoryStore(const HistoryStore&) = delete;
  HistoryStore& operator=(const HistoryStore&) = delete;

  void add_feedback(const std::string& uri, Feedback feedback, const std::string& emotion);
  // Records songs just recommended (one transaction).
  void add_recommended(const std::vector<std::string>& uris, const std::string& emotion, std::string_view mode);

  // Each song's latest feedback, as the recommender takes it.
  Preferences preferences() const;
  // The songs of the last `limit` recommendation rows (fewer distinct songs when some repeat).
  std::unordered_set<std::string> recent(int limit) const;
  HistoryCounts counts() const;
  const std::string& path() const { return path_; }

 private:
  void exec(const char* sql) const;

  std::string path_;
  sqlite3* db_ = nullptr;
  mutable std::mutex mutex_;  // one connection, one statement at a time
};

}  // namespace fermap
