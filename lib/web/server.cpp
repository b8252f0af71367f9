// lib/web/server.cpp — WebServer: routes of cpp-httplib to WebApp, the embedded page, JSON errors
// for everything httplib itself refuses (unknown path, wrong method, body too large).
#include "fermap/web/server.hpp"

#include <httplib.h>

#include "fermap/error.hpp"
#include "fermap/web/static_page.hpp"

namespace fermap {

namespace {

const char* reason(int status) {
  switch (status) {
    case 400: return "bad request";
    case 404: return "no such page or API";
    case 405: return "method not allowed";
    case 408: return "request timed out";
    case 413: return "request body too large";
    case 414: return "request URI too long";
    case 415: return "unsupported media type";
    default: return status >= 500 ? "server error" : "request failed";
  }
}

void send_json(httplib::Response& res, const ApiResponse& response) {
  res.status = response.status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(response.body.dump(), "application/json");
}

// The image of an analyze request: the raw body, or the "image" (else the first) file of a form.
std::string upload_of(const httplib::Request& req) {
  if (!req.is_multipart_form_data()) return req.body;
  if (req.has_file("image")) return req.get_file_value("image").content;
  return req.files.empty() ? std::string() : req.files.begin()->second.content;
}

}  // namespace

struct WebServer::Impl {
  httplib::Server http;
};

WebServer::WebServer(WebApp& app, const ServerOptions& options) : impl_(std::make_unique<Impl>()), options_(options) {
  httplib::Server& http = impl_->http;
  const int threads = std::max(1, options.threads);
  http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  http.set_payload_max_length(options.max_body);
  http.set_read_timeout(options.timeout_seconds);
  http.set_write_timeout(options.timeout_seconds);
  http.set_default_headers({{"X-Content-Type-Options", "nosniff"}, {"Referrer-Policy", "no-referrer"}});

  http.Post("/api/analyze", [&app](const httplib::Request& req, httplib::Response& res) {
    send_json(res, app.analyze(upload_of(req), req.params));
  });
  http.Get("/api/recommend", [&app](const httplib::Request& req, httplib::Response& res) {
    send_json(res, app.recommend(req.params));
  });
  http.Post("/api/feedback", [&app](const httplib::Request& req, httplib::Response& res) {
    send_json(res, app.feedback(req.body));
  });
  http.Get("/api/health", [&app](const httplib::Request&, httplib::Response& res) { send_json(res, app.health()); });

  // The same paths with any other method: 405 naming the one that works.
  const auto wrong_method = [](const char* allowed) {
    return [allowed](const httplib::Request& req, httplib::Response& res) {
      res.set_header("Allow", allowed);
      send_json(res, error_response(405, req.method + " " + req.path + " is not supported: use " + allowed));
    };
  };
  for (const char* path : {"/api/analyze", "/api/feedback"}) {
    http.Get(path, wrong_method("POST"));
    http.Put(path, wrong_method("POST"));
    http.Patch(path, wrong_method("POST"));
    http.Delete(path, wrong_method("POST"));
  }
  for (const char* path : {"/api/recommend", "/api/health"}) {
    http.Post(path, wrong_method("GET"));
    http.Put(path, wrong_method("GET"));
    http.Patch(path, wrong_method("GET"));
    http.Delete(path, wrong_method("GET"));
  }

  http.Get(R"(/[A-Za-z0-9._-]*)", [](const httplib::Request& req, httplib::Response& res) {
    const StaticAsset* asset = find_static_asset(req.path);
    if (!asset) return send_json(res, error_response(404, "no page " + req.path));
    res.set_header("Cache-Control", "no-cache");
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob: mediastream:; "
                   "style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
    res.set_content(std::string(asset->body), std::string(asset->content_type).c_str());
  });

  // Whatever httplib answers by itself (unknown path, body too large, malformed request) in JSON too.
  http.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;  // a handler's own error
    std::string message = reason(res.status);
    if (res.status == 404) message = "no " + req.method + " " + req.path;
    send_json(res, error_response(res.status, message));
    return httplib::Server::HandlerResponse::Handled;
  }));
  http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr error) {
    std::string message = "internal error";
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      message = e.what();
    } catch (...) {
    }
    send_json(res, error_response(500, message));
  });
}

WebServer::~WebServer() { stop(); }

int WebServer::bind() {
  httplib::Server& http = impl_->http;
  if (options_.port == 0) {
    port_ = http.bind_to_any_port(options_.host);
  } else if (http.bind_to_port(options_.host, options_.port)) {
    port_ = options_.port;
  }
  if (port_ <= 0)
    throw IoError("cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                  " (in use, or not an address of this machine)");
  return port_;
}

void WebServer::run() {
  if (port_ <= 0) throw ArgumentError("WebServer::run: bind() first");
  impl_->http.listen_after_bind();
}

void WebServer::stop() { impl_->http.stop(); }

}  // namespace fermap
