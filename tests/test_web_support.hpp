// tests/test_web_support.hpp — an EchoEmotion server running in the test process on an ephemeral
// loopback port, with the shipped model and song table and a fresh history database.
#pragma once

#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>

#include "fermap/web/server.hpp"

namespace fermap::test {

inline std::string web_temp_path(const std::string& name) {
  const std::filesystem::path dir = std::filesystem::path(FERMAP_TEST_TMP) / "web";
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

// A history file that does not exist yet (with its WAL side files gone too).
inline std::string fresh_db(const std::string& name) {
  const std::string path = web_temp_path(name);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return path;
}

inline WebAppOptions web_options(const std::string& db) {
  WebAppOptions options;
  options.model = std::string(FERMAP_SOURCE_DIR) + "/data/models/custom_cnn.fmp";
  options.songs = std::string(FERMAP_SOURCE_DIR) + "/data/songs/data_moods.csv";
  options.db = db;
  return options;
}

class RunningServer {
 public:
  explicit RunningServer(const WebAppOptions& options, ServerOptions server_options = {})
      : app_(options), server_(app_, with_any_port(server_options)) {
    port_ = server_.bind();
    thread_ = std::thread([this] { server_.run(); });
    // Answering proves the accept loop runs, so that stop() in the destructor cannot miss it.
    if (!client().Get("/api/health")) {
      server_.stop();
      thread_.join();
      throw std::runtime_error("test server did not answer on port " + std::to_string(port_));
    }
  }
  ~RunningServer() {
    server_.stop();
    thread_.join();
  }
  RunningServer(const RunningServer&) = delete;
  RunningServer& operator=(const RunningServer&) = delete;

  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(5);
    c.set_read_timeout(60);
    return c;
  }
  int port() const { return port_; }
  WebApp& app() { return app_; }

 private:
  static ServerOptions with_any_port(ServerOptions options) {
    options.port = 0;
    return options;
  }
  WebApp app_;
  WebServer server_;
  int port_ = 0;
  std::thread thread_;
};

inline nlohmann::json body_json(const httplib::Result& result) {
  if (!result) throw std::runtime_error("no HTTP response: " + httplib::to_string(result.error()));
  return nlohmann::json::parse(result->body);
}

inline std::string read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace fermap::test
