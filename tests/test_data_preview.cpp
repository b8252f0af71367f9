// Tests for the data previews (count table, augmentation grid) and the `fermap data` command.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include <opencv2/imgcodecs.hpp>

#include "fermap/data/equalize.hpp"
#include "fermap/data/fer2013.hpp"
#include "fermap/data/preview.hpp"
#include "fermap/error.hpp"

using namespace fermap;

namespace {

std::string fixture(const std::string& rel) {
  return std::string(FERMAP_SOURCE_DIR) + "/tests/fixtures/data/" + rel;
}

std::string tmp_path(const std::string& name) {
  std::filesystem::create_directories(FERMAP_TEST_TMP);
  return (std::filesystem::path(FERMAP_TEST_TMP) / name).string();
}

// Runs a shell command; returns its exit status and puts its stdout in `out`.
int run(const std::string& command, std::string& out) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen((command + " 2>&1").c_str(), "r"), &pclose);
  if (!pipe) return -1;
  std::array<char, 4096> buf{};
  size_t got = 0;
  while ((got = fread(buf.data(), 1, buf.size(), pipe.get())) > 0) out.append(buf.data(), got);
  const int status = pclose(pipe.release());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("class_count_table: one row per class, one column per split, a total", "[data]") {
  const Dataset train = load_image_folder(fixture("folder"), "train", LoadOptions{});
  const Dataset test = load_image_folder(fixture("folder"), "test", LoadOptions{});
  const std::string table = class_count_table({{"train", &train}, {"test", &test}});
  CHECK(table ==
        "class    train  test\n"
        "angry        3     1\n"
        "happy        4     2\n"
        "neutral      3     1\n"
        "sad          2     1\n"
        "total       12     5\n");
  LoadOptions seven;
  seven.classes = all_classes();
  const Dataset other = load_image_folder(fixture("folder"), "test", seven);
  CHECK_THROWS_AS(class_count_table({{"train", &train}, {"test", &other}}), ArgumentError);
}

TEST_CASE("augmentation_preview: grid size, original tiles exact, deterministic per seed", "[data]") {
  const Dataset d = load_image_folder(fixture("folder"), "train", LoadOptions{});
  PreviewOptions o;
  o.count = 4;
  o.augmented = 3;
  o.zoom = 2;
  const PreviewImage a = augmentation_preview(d, o);
  CHECK(a.width == 100 + 96 + 16 + 3 * 100);
  CHECK(a.height == 28 + 4 * 100 + 4);
  CHECK(a.pixels.size() == static_cast<size_t>(a.width * a.height));
  CHECK(augmentation_preview(d, o).pixels == a.pixels);
  o.seed = 1;
  CHECK(augmentation_preview(d, o).pixels != a.pixels);

  const std::string path = tmp_path("data_preview.png");
  write_preview_png(a, path);
  const cv::Mat back = cv::imread(path, cv::IMREAD_UNCHANGED);
  REQUIRE(back.rows == a.height);
  REQUIRE(back.cols == a.width);
  CHECK(std::equal(a.pixels.begin(), a.pixels.end(), back.data));
  CHECK_THROWS_AS(write_preview_png(a, "/nonexistent/dir/p.png"), IoError);
  o.count = 0;
  CHECK_THROWS_AS(augmentation_preview(d, o), ArgumentError);
}

TEST_CASE("augmentation_preview --equalize shows each original equalised", "[data]") {
  const Dataset d = load_image_folder(fixture("folder"), "train", LoadOptions{});
  PreviewOptions o;
  o.count = 1;
  o.augmented = 1;
  o.zoom = 2;
  const PreviewImage plain = augmentation_preview(d, o);
  o.equalize = true;
  const PreviewImage equalized = augmentation_preview(d, o);
  // The first row's original: 48x48 pixels drawn 2x2 each, at (100, 28).
  const auto original = [](const PreviewImage& image) {
    std::vector<uint8_t> face(48 * 48);
    for (int r = 0; r < 48; ++r)
      for (int c = 0; c < 48; ++c) face[static_cast<size_t>(r * 48 + c)] = image.pixels[static_cast<size_t>((28 + 2 * r) * image.width + 100 + 2 * c)];
    return face;
  };
  std::vector<uint8_t> expected = original(plain);
  equalize_histogram(expected.data(), expected.size(), expected.data());
  REQUIRE(expected != original(plain));
  CHECK(original(equalized) == expected);
}

TEST_CASE("fermap data stats and preview run on the fixtures", "[data][cli]") {
  const char* cli = std::getenv("FERMAP_CLI");
  if (!cli || !std::filesystem::exists(cli)) return;
  std::string out;
  CHECK(run(std::string(cli) + " data stats " + fixture("fer2013.csv") + " --classes sad,happy", out) == 0);
  CHECK(out ==
        "class  train  test\n"
        "sad        2     1\n"
        "happy      4     2\n"
        "total      6     3\n");
  out.clear();
  CHECK(run(std::string(cli) + " data stats " + fixture("bad/corrupt") + " --classes angry --splits train", out) == 1);
  CHECK_THAT(out, Catch::Contains("truncated.jpg"));
  out.clear();
  const std::string png = tmp_path("data_preview_cli.png");
  CHECK(run(std::string(cli) + " data preview " + fixture("folder") + " --out " + png + " --count 2", out) == 0);
  CHECK(cv::imread(png).rows == 28 + 2 * 148 + 4);
}
