// fermap recommend IMAGE: the faces' emotion (probabilities averaged over the faces) mapped to songs
// of the catalogue, with their Spotify links. --emotion skips the photo and the model.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "commands.hpp"
#include "fermap/classifier.hpp"
#include "fermap/error.hpp"
#include "fermap/face/bundled_data.hpp"
#include "fermap/face/detector.hpp"
#include "fermap/face/emotion.hpp"
#include "fermap/face/image_io.hpp"
#include "fermap/songs/catalogue.hpp"
#include "fermap/songs/recommender.hpp"
#include "fermap/songs/songs_json.hpp"

namespace fermap::cli {

namespace {

struct RecommendArgs {
  std::string image, emotion, model, cascade, songs, mode = "match", map;
  std::optional<uint64_t> seed;
  int count = 10;
  bool no_detect = false, json = false, tta = false;
};

struct PhotoEmotion {
  std::vector<FaceEmotion> faces;
  FaceEmotion overall;
  std::vector<std::string> classes;
};

// The photo's faces and their overall emotion; Error when there is no face.
PhotoEmotion photo_emotion(const RecommendArgs& args) {
  const Classifier classifier = Classifier::load(find_bundled_file(kDefaultModel, args.model), {.tta = args.tta});
  const cv::Mat image = load_image(args.image, {.min_side = kMinFacePhotoSide});
  std::optional<FaceDetector> detector;
  if (!args.no_detect) detector.emplace(DetectorOptions{.cascade_path = args.cascade});
  RecognizeOptions options;
  options.no_detect = args.no_detect;
  std::vector<FaceEmotion> faces = recognize_emotions(classifier, detector ? &*detector : nullptr, image, options);
  if (faces.empty())
    throw Error("no face found in " + args.image + " (--no-detect takes the whole image as a face)");
  FaceEmotion overall = overall_emotion(faces, classifier.classes());
  return {std::move(faces), std::move(overall), classifier.classes()};
}

void run_recommend(const RecommendArgs& args) {
  if (args.image.empty() && args.emotion.empty()) throw ArgumentError("give an IMAGE, or an emotion with --emotion");
  if (!args.image.empty() && !args.emotion.empty()) throw ArgumentError("give either IMAGE or --emotion, not both");
  RecommendOptions options;
  options.mode = parse_recommend_mode(args.mode);
  options.count = args.count;
  options.moods = MoodMap::parse(args.map);
  options.seed = args.seed.value_or(
      static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()));
  const Catalogue catalogue = Catalogue::load(find_bundled_file(kDefaultSongs, args.songs));
  const LoadReport& report = catalogue.report();
  if (report.skipped > 0)
    std::fprintf(stderr, "note: %lld malformed rows skipped in %s; first: %s\n", static_cast<long long>(report.skipped),
                 report.path.c_str(), report.problems.front().c_str());

  PhotoEmotion photo;
  if (!args.image.empty()) photo = photo_emotion(args);
  const std::vector<FaceEmotion>& faces = photo.faces;
  const std::string emotion = args.image.empty() ? args.emotion : photo.overall.emotion;
  const Mood mood = options.moods.mood_for(emotion);
  const std::vector<Recommendation> songs = recommend(catalogue, emotion, options);

  if (args.json) {
    nlohmann::json out = {{"emotion", emotion}, {"mood", std::string(mood_name(mood))},
                          {"mode", std::string(mode_name(options.mode))}, {"seed", options.seed},
                          {"catalogue", report.path}, {"songs", to_json(songs)}};
    if (!args.image.empty()) {
      out["image"] = args.image;
      out["overall"] = to_json(photo.overall, photo.classes);
      out["faces"] = nlohmann::json::array();
      for (const FaceEmotion& face : faces) out["faces"].push_back(to_json(face, photo.classes));
    }
    std::cout << out.dump(2) << "\n";
    return;
  }
  if (!args.image.empty()) {
    std::printf("%s: %zu face%s, emotion %s (%.0f%% averaged over the faces)\n", args.image.c_str(), faces.size(),
                faces.size() == 1 ? "" : "s", emotion.c_str(), 100.0 * photo.overall.probability);
    for (size_t i = 0; i < faces.size(); ++i)
      std::printf("  face %zu at (%d,%d %dx%d): %s %.0f%%\n", i + 1, faces[i].box.x, faces[i].box.y, faces[i].box.width,
                  faces[i].box.height, faces[i].emotion.c_str(), 100.0 * faces[i].probability);
  }
  std::printf("%zu songs for %s -> %s (mode %s, seed %llu, %zu songs in %s)\n", songs.size(), emotion.c_str(),
              std::string(mood_name(mood)).c_str(), std::string(mode_name(options.mode)).c_str(),
              static_cast<unsigned long long>(options.seed), catalogue.size(), report.path.c_str());
  for (size_t i = 0; i < songs.size(); ++i) {
    const Song& s = songs[i].song;
    const std::string title = s.name.empty() ? s.uri : s.artist.empty() ? s.name : s.artist + " - " + s.name;
    std::printf("%3zu. %-50s %s  (%s, valence %.2f, energy %.2f)\n", i + 1, title.c_str(), s.link().c_str(),
                std::string(mood_name(s.mood)).c_str(), s.features.valence, s.features.energy);
  }
}

}  // namespace

void add_recommend_command(CLI::App& app) {
  auto args = std::make_shared<RecommendArgs>();
  auto* cmd = app.add_subcommand("recommend", "Songs for the emotion on the faces of a photo");
  cmd->add_option("image", args->image, "Photo with one or more faces");
  cmd->add_option("--emotion", args->emotion, "Use this emotion instead of a photo (e.g. sad)");
  cmd->add_option("--model", args->model, "Model file (default: data/models/custom_cnn.fmp, looked for as in predict)");
  cmd->add_option("--cascade", args->cascade, "Haar cascade XML (default: found in opencv-data's folders)");
  cmd->add_flag("--no-detect", args->no_detect, "Take the whole image as one face");
  cmd->add_flag("--tta", args->tta, kTtaHelp);
  cmd->add_option("--songs", args->songs, "Song table CSV, 278k or data_moods layout (default: data/songs/data_moods.csv)");
  cmd->add_option("-n,--count", args->count, "Number of songs")->check(CLI::Range(1, 10000));
  cmd->add_option("--mode", args->mode, "match (closest to the emotion), lift (toward happier) or random (the paper's)")
      ->check(CLI::IsMember({"match", "lift", "random"}));
  cmd->add_option("--seed", args->seed, "Random seed (default: from the clock; printed)");
  cmd->add_option("--map", args->map, "Emotion=mood overrides, e.g. angry=calm,sad=happy "
                                      "(default angry=energetic,happy=happy,neutral=calm,sad=sad)");
  cmd->add_flag("--json", args->json, "Print JSON instead of text");
  cmd->callback([args] { run_recommend(*args); });
}

}  // namespace fermap::cli
