// fermap/web/server.hpp — the EchoEmotion HTTP server (cpp-httplib): the JSON API of api.hpp under
// /api/ and the page embedded in the library under /. Bound to loopback unless told otherwise.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "fermap/web/api.hpp"

namespace fermap {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                        // 0: any free port (bind() returns it)
  size_t max_body = 10u << 20;            // larger request bodies get 413
  int threads = 8;                        // connections served at once (analyses are bounded apart)
  int timeout_seconds = 10;               // reading a request, writing a response
};

class WebServer {
 public:
  WebServer(WebApp& app, const ServerOptions& options = {});
  ~WebServer();
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  // Binds the socket and returns the port; IoError naming host and port when it cannot.
  int bind();
  // Serves until stop() (from any thread); bind() first.
  void run();
  void stop();
  int port() const { return port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ServerOptions options_;
  int port_ = -1;
};

}  // namespace fermap
