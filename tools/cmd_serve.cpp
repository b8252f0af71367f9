// fermap serve: the EchoEmotion web app (page + JSON API, docs/web.md) on loopback, until Ctrl-C.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <pthread.h>
#include <string>
#include <thread>

#include "commands.hpp"
#include "fermap/web/server.hpp"

namespace fermap::cli {

namespace {

struct ServeArgs {
  std::string host = "127.0.0.1", model, songs, db, cascade;
  int port = 8080, threads = 8, max_concurrent = 0;
  size_t max_body_mb = 10;
  bool tta = false;
};

// $XDG_DATA_HOME/fermap/history.sqlite, else ~/.local/share/fermap/history.sqlite (folder created).
std::string default_db() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  const char* home = std::getenv("HOME");
  const std::filesystem::path base = xdg && *xdg ? std::filesystem::path(xdg)
                                     : home && *home ? std::filesystem::path(home) / ".local/share"
                                                     : std::filesystem::current_path();
  std::filesystem::create_directories(base / "fermap");
  return (base / "fermap" / "history.sqlite").string();
}

void run_serve(const ServeArgs& args) {
  // SIGINT and SIGTERM are taken by a waiting thread (blocked here, before any thread starts), which
  // stops the server so that it shuts down cleanly.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  WebAppOptions options;
  options.model = args.model;
  options.classifier.tta = args.tta;
  options.songs = args.songs;
  options.db = args.db.empty() ? default_db() : args.db;
  options.analyzer.detector.cascade_path = args.cascade;
  options.analyzer.max_concurrent = args.max_concurrent;
  WebApp app(options);
  WebServer server(app, ServerOptions{.host = args.host, .port = args.port, .max_body = args.max_body_mb << 20,
                                      .threads = args.threads});
  const int port = server.bind();
  std::printf("EchoEmotion on http://%s:%d/  (model %s, %zu songs, history %s; Ctrl-C stops)\n", args.host.c_str(),
              port, app.model_path().c_str(), app.catalogue().size(), options.db.c_str());
  std::fflush(stdout);
  std::atomic<bool> signalled = false;
  std::thread waiter([&] {
    int signal = 0;
    sigwait(&signals, &signal);
    signalled = true;
    server.stop();
  });
  server.run();
  if (!signalled) pthread_kill(waiter.native_handle(), SIGTERM);  // the server stopped by itself: wake the waiter
  waiter.join();
  std::printf("stopped\n");
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  auto* cmd = app.add_subcommand("serve", "The EchoEmotion web app: photo or camera -> faces -> playlist");
  cmd->add_option("--host", args->host, "Address to listen on (default 127.0.0.1: this machine only)");
  cmd->add_option("--port", args->port, "Port (0: any free port, printed)")->check(CLI::Range(0, 65535));
  cmd->add_option("--model", args->model, "Model file (default: the bundled data/models/custom_cnn.fmp)");
  cmd->add_flag("--tta", args->tta, kTtaHelp);
  cmd->add_option("--songs", args->songs, "Song table CSV (default: the bundled data/songs/data_moods.csv)");
  cmd->add_option("--db", args->db, "History database (default: ~/.local/share/fermap/history.sqlite)");
  cmd->add_option("--cascade", args->cascade, "Haar cascade XML (default: found in opencv-data's folders)");
  cmd->add_option("--threads", args->threads, "Connections served at once")->check(CLI::Range(1, 256));
  cmd->add_option("--max-concurrent", args->max_concurrent, "Analyses at once (default: hardware threads)")
      ->check(CLI::Range(0, 256));
  cmd->add_option("--max-body-mb", args->max_body_mb, "Largest request body in MiB")->check(CLI::Range(1, 200));
  cmd->callback([args] { run_serve(*args); });
}

}  // namespace fermap::cli
