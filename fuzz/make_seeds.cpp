// Writes the fuzzers' seed corpora under fuzz/corpus/<target>/ from the library itself, so the
// seeds are valid inputs of the current formats that the fuzzers then mutate. Run it (it is built
// with the fuzzers) when a format changes, and commit what it writes. scripts/fuzz.sh also gives
// each fuzzer the matching folder of the hostile corpus (tests/fixtures/bad/) as seeds.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "fermap/layers.hpp"
#include "fermap/serialize.hpp"

namespace fs = std::filesystem;
using namespace fermap;

namespace {

const std::string kSource = FERMAP_SOURCE_DIR;
const std::string kCorpus = kSource + "/fuzz/corpus";

void write(const std::string& path, const std::string& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

// Every layer type once, small enough for the fuzzer to run a prediction on (12x12 gray input).
Model every_layer_model() {
  Model m;
  m.add<ZeroPadding2D>(1);
  m.add<Conv2D>(Conv2DOptions{.filters = 4, .kernel = {3, 3}, .stride = 2, .padding = Padding::valid, .activation = Activation::relu});
  m.add<BatchNormalization>();
  m.add<DepthwiseConv2D>(DepthwiseConv2DOptions{});
  m.add<SeparableConv2D>(SeparableConv2DOptions{.filters = 6});
  LayerChain main, shortcut;
  main.add(std::make_unique<Conv2D>(Conv2DOptions{.filters = 6, .kernel = {1, 1}}));
  m.add(std::make_unique<ResidualBlock>(std::move(main), std::move(shortcut)));
  m.add<ReLU>();
  m.add<MaxPooling2D>();
  m.add<Dropout>(0.25f);
  m.add<GlobalAveragePooling2D>();
  m.add<Dense>(DenseOptions{.units = 4});
  m.build(Shape{12, 12, 1}, 3);
  return m;
}

Model flatten_model() {
  Model m;
  m.add<Flatten>();
  m.add<Dense>(DenseOptions{.units = 4});
  m.build(Shape{6, 6, 3}, 4);
  return m;
}

void model_seeds() {
  ModelMeta meta;
  meta.classes = {"angry", "happy", "neutral", "sad"};
  Model a = every_layer_model();
  save_model(kCorpus + "/model_loader/every_layer.fmp", a, meta);
  meta.preprocessing.channels = 3;
  Model b = flatten_model();
  save_model(kCorpus + "/model_loader/flatten.fmp", b, meta);
}

void song_seeds() {
  for (const char* name : {"data_moods.csv", "data_moods_278k_layout.csv"}) {
    std::ifstream in(kSource + "/data/songs/" + name);
    std::string text, line;
    for (int i = 0; i < 12 && std::getline(in, line); ++i) text += line + "\n";
    write(kCorpus + "/song_table/" + name, text);
  }
  write(kCorpus + "/song_table/quoted.csv",
        "name,id,valence,energy,mood\r\n\"Hello, \"\"World\"\"\",4uLU6hMCjMI75M1A2tKUQC,0.5,0.6,Happy\r\n"
        "\"two\nlines\",https://open.spotify.com/track/7ouMYWpwJ422jRcDASZB7P?si=1,0.1,0.2,sad\r\n");
}

void image_seeds() {
  const cv::Mat photo = cv::imread(kSource + "/data/demo/faces.png", cv::IMREAD_COLOR);
  cv::Mat small;
  cv::resize(photo, small, {160, 120}, 0, 0, cv::INTER_AREA);
  cv::imwrite(kCorpus + "/face_image/faces.png", small);
  cv::imwrite(kCorpus + "/face_image/faces.jpg", small, {cv::IMWRITE_JPEG_QUALITY, 70});
  cv::imwrite(kCorpus + "/face_image/faces_progressive.jpg", small, {cv::IMWRITE_JPEG_PROGRESSIVE, 1});
  cv::Mat gray;
  cv::cvtColor(small, gray, cv::COLOR_BGR2GRAY);
  cv::imwrite(kCorpus + "/face_image/faces.bmp", gray);
  cv::imwrite(kCorpus + "/face_image/faces.pgm", gray);
}

}  // namespace

int main() {
  for (const char* dir : {"model_loader", "song_table", "face_image"}) fs::create_directories(kCorpus + "/" + dir);
  model_seeds();
  song_seeds();
  image_seeds();
}
