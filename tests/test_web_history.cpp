// Tests for the web app's SQLite history: schema on first open, the latest feedback winning, the
// window of recent recommendations, persistence across reopening, and refusing foreign files.
#include <catch2/catch.hpp>

#include <fstream>

#include "fermap/error.hpp"
#include "fermap/web/history_store.hpp"
#include "test_web_support.hpp"

using namespace fermap;

TEST_CASE("history: a song's latest feedback wins", "[web][history]") {
  HistoryStore store(":memory:");
  CHECK(store.preferences().empty());
  store.add_feedback("spotify:track:a", Feedback::like, "happy");
  store.add_feedback("spotify:track:b", Feedback::like, "sad");
  store.add_feedback("spotify:track:a", Feedback::skip, "happy");
  const Preferences p = store.preferences();
  CHECK(p.liked == std::unordered_set<std::string>{"spotify:track:b"});
  CHECK(p.skipped == std::unordered_set<std::string>{"spotify:track:a"});
  const HistoryCounts counts = store.counts();
  CHECK(counts.liked == 1);
  CHECK(counts.skipped == 1);
}

TEST_CASE("history: recent() holds the songs of the last N recommendations", "[web][history]") {
  HistoryStore store(":memory:");
  store.add_recommended({"u1", "u2", "u3"}, "sad", "match");
  store.add_recommended({"u4", "u5"}, "sad", "lift");
  CHECK(store.recent(2) == std::unordered_set<std::string>{"u4", "u5"});
  CHECK(store.recent(4) == std::unordered_set<std::string>{"u2", "u3", "u4", "u5"});
  CHECK(store.recent(0).empty());
  CHECK(store.counts().recommended == 5);
}

TEST_CASE("history: everything survives closing and reopening the file", "[web][history]") {
  const std::string path = test::fresh_db("history_reopen.sqlite");
  {
    HistoryStore store(path);
    store.add_feedback("spotify:track:x", Feedback::like, "neutral");
    store.add_recommended({"spotify:track:x", "spotify:track:y"}, "neutral", "match");
  }
  HistoryStore again(path);
  CHECK(again.preferences().liked.count("spotify:track:x") == 1);
  CHECK(again.recent(10).size() == 2);
  CHECK(again.counts().recommended == 2);
}

TEST_CASE("history: a file that is not our database is refused with its path", "[web][history]") {
  const std::string path = test::fresh_db("not_a_db.sqlite");
  std::ofstream(path) << "this is not SQLite, just text long enough to be read as a header........";
  CHECK_THROWS_AS(HistoryStore(path), IoError);
  CHECK_THROWS_WITH(HistoryStore("/nonexistent-folder/h.sqlite"), Catch::Contains("/nonexistent-folder/h.sqlite"));
}

TEST_CASE("history: feedback names", "[web][history]") {
  CHECK(parse_feedback("like") == Feedback::like);
  CHECK(parse_feedback("skip") == Feedback::skip);
  CHECK_FALSE(parse_feedback("LIKE"));
  CHECK(feedback_name(Feedback::skip) == "skip");
}
