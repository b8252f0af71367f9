// lib/web/history_store.cpp — HistoryStore over one SQLite connection guarded by a mutex.
#include "fermap/web/history_store.hpp"

#include <sqlite3.h>

#include "fermap/error.hpp"

namespace fermap {

namespace {

constexpr int kSchemaVersion = 1;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS feedback(
  id INTEGER PRIMARY KEY,
  uri TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('like', 'skip')),
  emotion TEXT NOT NULL DEFAULT '',
  at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS feedback_by_uri ON feedback(uri, id);
CREATE TABLE IF NOT EXISTS recommended(
  id INTEGER PRIMARY KEY,
  uri TEXT NOT NULL,
  emotion TEXT NOT NULL DEFAULT '',
  mode TEXT NOT NULL DEFAULT '',
  at REAL NOT NULL);
)sql";

constexpr const char* kNow = "(julianday('now') - 2440587.5) * 86400.0";

// A prepared statement, finalised on scope exit; errors name the database file.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql, const std::string& path) : db_(db), path_(path) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK) fail("prepare");
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::string_view text) {
    if (sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT) != SQLITE_OK)
      fail("bind");
    return *this;
  }
  Statement& bind(int index, int64_t value) {
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail("bind");
    return *this;
  }
  // true while there is a row to read.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) fail("step");
    return false;
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string text(int column) const {
    const unsigned char* s = sqlite3_column_text(stmt_, column);
    return s ? std::string(reinterpret_cast<const char*>(s)) : std::string();
  }
  int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }

 private:
  [[noreturn]] void fail(const char* what) const {
    throw IoError(path_ + ": SQLite " + what + ": " + sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  const std::string& path_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace

std::string_view feedback_name(Feedback feedback) { return feedback == Feedback::like ? "like" : "skip"; }

std::optional<Feedback> parse_feedback(std::string_view name) {
  if (name == "like") return Feedback::like;
  if (name == "skip") return Feedback::skip;
  return std::nullopt;
}

HistoryStore::HistoryStore(const std::string& path) : path_(path) {
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw IoError(path + ": cannot open the history database: " + why);
  }
  try {
    sqlite3_busy_timeout(db_, 5000);  // another process (a second server) may hold the lock briefly
    int64_t found = 0;
    {
      Statement version(db_, "PRAGMA user_version", path_);  // finalised before the WAL switch below
      if (version.step()) found = version.integer(0);
    }
    if (found != 0 && found != kSchemaVersion)
      throw IoError(path + ": history database has schema version " + std::to_string(found) + ", expected " +
                    std::to_string(kSchemaVersion));
    exec("PRAGMA journal_mode=WAL");
    exec(kSchema);
    exec(("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str());
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
}

HistoryStore::~HistoryStore() { sqlite3_close(db_); }

void HistoryStore::exec(const char* sql) const {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string why = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    throw IoError(path_ + ": SQLite: " + why);
  }
}

void HistoryStore::add_feedback(const std::string& uri, Feedback feedback, const std::string& emotion) {
  const std::lock_guard lock(mutex_);
  Statement insert(db_, std::string("INSERT INTO feedback(uri, action, emotion, at) VALUES (?, ?, ?, ") + kNow + ")",
                   path_);
  insert.bind(1, uri).bind(2, feedback_name(feedback)).bind(3, emotion).step();
}

void HistoryStore::add_recommended(const std::vector<std::string>& uris, const std::string& emotion,
                                   std::string_view mode) {
  const std::lock_guard lock(mutex_);
  exec("BEGIN IMMEDIATE");
  try {
    Statement insert(db_, std::string("INSERT INTO recommended(uri, emotion, mode, at) VALUES (?, ?, ?, ") + kNow + ")",
                     path_);
    for (const std::string& uri : uris) {
      insert.bind(1, uri).bind(2, emotion).bind(3, mode).step();
      insert.reset();
    }
    exec("COMMIT");
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
}

Preferences HistoryStore::preferences() const {
  const std::lock_guard lock(mutex_);
  Statement latest(db_,
                   "SELECT uri, action FROM feedback f WHERE id = (SELECT MAX(id) FROM feedback WHERE uri = f.uri)",
                   path_);
  Preferences preferences;
  while (latest.step()) (latest.text(1) == "like" ? preferences.liked : preferences.skipped).insert(latest.text(0));
  return preferences;
}

std::unordered_set<std::string> HistoryStore::recent(int limit) const {
  const std::lock_guard lock(mutex_);
  Statement last(db_, "SELECT uri FROM recommended ORDER BY id DESC LIMIT ?", path_);
  last.bind(1, int64_t{limit});
  std::unordered_set<std::string> uris;
  while (last.step()) uris.insert(last.text(0));
  return uris;
}

HistoryCounts HistoryStore::counts() const {
  const Preferences latest = preferences();
  const std::lock_guard lock(mutex_);
  Statement rows(db_, "SELECT COUNT(*) FROM recommended", path_);
  rows.step();
  return {static_cast<int64_t>(latest.liked.size()), static_cast<int64_t>(latest.skipped.size()), rows.integer(0)};
}

}  // namespace fermap
