// lib/web/api.cpp — WebApp: the four API handlers over the analyzer, the catalogue and the history.
#include "fermap/web/api.hpp"

#include <charconv>
#include <chrono>
#include <optional>

#include "fermap/face/bundled_data.hpp"
#include "fermap/songs/recommender.hpp"
#include "fermap/songs/songs_json.hpp"

namespace fermap {

namespace {

constexpr size_t kMaxFeedbackBytes = 4096;

std::optional<std::string> param(const QueryParams& query, const std::string& name) {
  const auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

// An integer parameter in [low, high]; `fallback` when absent; 400 otherwise.
int int_param(const QueryParams& query, const std::string& name, int fallback, int low, int high) {
  const std::optional<std::string> text = param(query, name);
  if (!text) return fallback;
  int value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < low || value > high)
    throw HttpError(400, name + " must be an integer from " + std::to_string(low) + " to " + std::to_string(high) +
                             ", got '" + *text + "'");
  return value;
}

bool flag_param(const QueryParams& query, const std::string& name) {
  const std::optional<std::string> text = param(query, name);
  return text && (*text == "1" || *text == "true");
}

// Runs a handler; every failure becomes a JSON error with its status.
template <class Work>
ApiResponse guarded(Work&& work) {
  try {
    return {200, work()};
  } catch (const HttpError& e) {
    return error_response(e.status(), e.what());
  } catch (const ArgumentError& e) {
    return error_response(400, e.what());
  } catch (const std::exception& e) {
    return error_response(500, e.what());
  }
}

std::vector<uint8_t> as_bytes(const std::string& body) { return {body.begin(), body.end()}; }

}  // namespace

ApiResponse error_response(int status, const std::string& message) {
  return {status, {{"error", message}, {"status", status}}};
}

WebApp::WebApp(const WebAppOptions& options)
    : options_(options),
      model_path_(find_bundled_file(kDefaultModel, options.model)),
      analyzer_(Classifier::load(model_path_, options.classifier), options.analyzer),
      catalogue_(Catalogue::load(find_bundled_file(kDefaultSongs, options.songs))),
      history_(options.db) {
  if (options.max_songs < 1) throw ArgumentError("web app: max_songs must be >= 1");
  if (options.recent_window < 0) throw ArgumentError("web app: recent_window must be >= 0");
}

ApiResponse WebApp::analyze(const std::string& body, const QueryParams& query) const {
  return guarded([&] {
    if (body.empty()) throw HttpError(400, "the request body is empty: send the image's bytes");
    const bool no_detect = flag_param(query, "no_detect");
    Analysis analysis;
    try {
      analysis = analyzer_.analyze(as_bytes(body), no_detect);
    } catch (const FormatError& e) {
      throw HttpError(415, std::string("not an image we can read: ") + e.what());
    }
    return analyzer_.to_json(analysis);
  });
}

ApiResponse WebApp::recommend(const QueryParams& query) {
  return guarded([&] {
    const std::optional<std::string> emotion = param(query, "emotion");
    if (!emotion || emotion->empty()) throw HttpError(400, "give the emotion, e.g. ?emotion=happy");
    RecommendOptions options;
    options.count = int_param(query, "n", 10, 1, options_.max_songs);
    options.mode = parse_recommend_mode(param(query, "mode").value_or("match"));
    const std::string name = normalise_emotion(*emotion);
    if (!options.moods.contains(name)) {
      std::string known;
      for (const auto& entry : options.moods.entries()) known.append(known.empty() ? "" : ", ").append(entry.first);
      throw HttpError(400, "unknown emotion '" + *emotion + "': use one of " + known);
    }
    const Mood mood = options.moods.mood_for(name);

    const std::lock_guard lock(recommend_mutex_);
    options.seed = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) + ++requests_;
    options.exclude = history_.recent(options_.recent_window);
    options.preferences = history_.preferences();
    const std::vector<Recommendation> songs = fermap::recommend(catalogue_, name, options);
    std::vector<std::string> uris;
    for (const Recommendation& r : songs) uris.push_back(r.song.uri);
    history_.add_recommended(uris, name, mode_name(options.mode));
    return nlohmann::json{{"emotion", name},
                          {"mood", std::string(mood_name(mood))},
                          {"mode", std::string(mode_name(options.mode))},
                          {"songs", to_json(songs)}};
  });
}

ApiResponse WebApp::feedback(const std::string& body) {
  return guarded([&] {
    if (body.size() > kMaxFeedbackBytes) throw HttpError(413, "a feedback body is a small JSON object");
    const nlohmann::json request = nlohmann::json::parse(body, nullptr, false);
    if (request.is_discarded() || !request.is_object())
      throw HttpError(400, R"(the body must be a JSON object: {"uri": ..., "action": "like" | "skip"})");
    const auto text = [&](const char* key) {
      const auto it = request.find(key);
      if (it == request.end()) return std::string();
      if (!it->is_string()) throw HttpError(400, std::string(key) + " must be a string");
      return it->get<std::string>();
    };
    const std::optional<Feedback> action = parse_feedback(text("action"));
    if (!action) throw HttpError(400, "action must be \"like\" or \"skip\"");
    const std::optional<std::string> id = spotify_track_id(text("uri"));
    if (!id) throw HttpError(400, "uri must be a Spotify track (spotify:track:<id> or its open.spotify.com link)");
    const std::string uri = "spotify:track:" + *id;
    if (catalogue_.index_of(uri) < 0) throw HttpError(404, "no song " + uri + " in the catalogue");
    history_.add_feedback(uri, *action, normalise_emotion(text("emotion")));
    const HistoryCounts counts = history_.counts();
    return nlohmann::json{{"ok", true},
                          {"uri", uri},
                          {"action", std::string(feedback_name(*action))},
                          {"liked", counts.liked},
                          {"skipped", counts.skipped}};
  });
}

ApiResponse WebApp::health() const {
  return guarded([&] {
    const HistoryCounts counts = history_.counts();
    return nlohmann::json{{"status", "ok"},
                          {"model", model_path_},
                          {"classes", analyzer_.classifier().classes()},
                          {"tta", analyzer_.classifier().options().tta},
                          {"songs", catalogue_.size()},
                          {"catalogue", catalogue_.source()},
                          {"history", {{"liked", counts.liked}, {"skipped", counts.skipped},
                                       {"recommended", counts.recommended}}},
                          {"max_concurrent", analyzer_.max_concurrent()}};
  });
}

}  // namespace fermap
