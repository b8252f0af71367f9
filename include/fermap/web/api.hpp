// fermap/web/api.hpp — the EchoEmotion JSON API, independent of the HTTP server that carries it
// (docs/web.md lists requests and responses):
//   POST /api/analyze      image bytes -> faces, boxes, emotions, probabilities
//   GET  /api/recommend    ?emotion=&n=&mode=match|lift|random -> songs, learning from the history
//   POST /api/feedback     {"uri", "action": "like"|"skip", "emotion"} -> stored
//   GET  /api/health       model, classes, catalogue and history sizes
// Every handler returns a status and a JSON body; a failure is {"error": message, "status": code}
// with the status it deserves (400 bad request, 404 unknown song, 415 not an image, 500 our fault).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "fermap/error.hpp"
#include "fermap/songs/catalogue.hpp"
#include "fermap/web/analyzer.hpp"
#include "fermap/web/history_store.hpp"

namespace fermap {

// A failure the client is told about with this HTTP status.
class HttpError : public Error {
 public:
  HttpError(int status, const std::string& message) : Error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

struct ApiResponse {
  int status = 200;
  nlohmann::json body;
};
ApiResponse error_response(int status, const std::string& message);

// Query parameters, as the HTTP layer parses them (first value of a repeated name wins).
using QueryParams = std::multimap<std::string, std::string>;

struct WebAppOptions {
  std::string model;    // model file; "" = the bundled one (find_bundled_file)
  ClassifierOptions classifier = {};
  std::string songs;    // song table CSV; "" = the bundled one
  std::string db;       // history database file (its folder must exist), or ":memory:"
  AnalyzerOptions analyzer = {};
  int max_songs = 50;       // largest n a recommend request may ask for
  int recent_window = 60;   // the songs of the last this-many recommendations are not repeated
};

class WebApp {
 public:
  // Loads the model and catalogue and opens the history; fermap::Error when any cannot be.
  explicit WebApp(const WebAppOptions& options);

  ApiResponse analyze(const std::string& body, const QueryParams& query) const;
  ApiResponse recommend(const QueryParams& query);
  ApiResponse feedback(const std::string& body);
  ApiResponse health() const;

  const Analyzer& analyzer() const { return analyzer_; }
  const Catalogue& catalogue() const { return catalogue_; }
  const HistoryStore& history() const { return history_; }
  const std::string& model_path() const { return model_path_; }

 private:
  WebAppOptions options_;
  std::string model_path_;
  Analyzer analyzer_;
  Catalogue catalogue_;
  HistoryStore history_;
  std::mutex recommend_mutex_;  // read recent history, choose, record: one recommendation at a time
  uint64_t requests_ = 0;       // varies the seed of successive random recommendations
};

}  // namespace fermap
