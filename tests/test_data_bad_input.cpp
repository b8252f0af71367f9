// Tests that bad FER2013 input is a clear error naming the file (and line), or with skip_bad is
// skipped and counted, and never a crash or a wrong label.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "fermap/data/fer2013.hpp"
#include "fermap/error.hpp"

using namespace fermap;
using Catch::Contains;

namespace {

std::string bad_root(const std::string& name) {
  return std::string(FERMAP_SOURCE_DIR) + "/tests/fixtures/data/bad/" + name;
}

LoadOptions angry_only(bool skip_bad) {
  LoadOptions o;
  o.classes = {"angry"};
  o.skip_bad = skip_bad;
  return o;
}

LoadOptions with_all() {
  LoadOptions o;
  o.classes = all_classes();
  return o;
}

template <class E, class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "<no exception of the expected type>";
}

// Writes a CSV under the test temp folder and returns its path.
std::string write_csv(const std::string& name, const std::string& text) {
  const std::filesystem::path dir = std::filesystem::path(FERMAP_TEST_TMP) / "data_bad_csv";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / name).string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// A row of n pixels, all `value`.
std::string pixels(size_t n, const std::string& value = "7") {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += (i ? " " : "") + value;
  return s;
}

const std::string kHeader = "emotion,pixels,Usage\n";
const std::string kGoodRow = "3," + pixels(2304) + ",Training\n";

}  // namespace

TEST_CASE("corrupt images: error names the file, skip_bad counts them", "[data]") {
  const std::string msg =
      message_of<FormatError>([] { load_image_folder(bad_root("corrupt"), "train", angry_only(false)); });
  CHECK_THAT(msg, Contains("truncated.jpg"));
  LoadReport report;
  const Dataset d = load_image_folder(bad_root("corrupt"), "train", angry_only(true), &report);
  CHECK(d.size() == 1);
  CHECK_THAT(d.sources[0], Contains("good.jpg"));
  CHECK(report.loaded == 1);
  CHECK(report.skipped == 2);
  REQUIRE(report.problems.size() == 2);
  CHECK_THAT(report.problems[0], Contains("truncated.jpg"));
  CHECK_THAT(report.problems[1], Contains("zgarbage.png"));
  CHECK_THAT(report.summary(), Contains("loaded 1, skipped 2"));
}

TEST_CASE("images of the wrong size, colour or with alpha are rejected", "[data]") {
  const struct {
    const char* root;
    const char* file;
    const char* why;
  } cases[] = {{"wrong_size", "big.png", "64x64"}, {"color", "color.png", "colour"}, {"alpha", "alpha.png", "alpha"}};
  for (const auto& c : cases) {
    INFO(c.root);
    const std::string msg =
        message_of<FormatError>([&] { load_image_folder(bad_root(c.root), "train", angry_only(false)); });
    CHECK_THAT(msg, Contains(c.file) && Contains(c.why));
    LoadReport report;
    const Dataset d = load_image_folder(bad_root(c.root), "train", angry_only(true), &report);
    CHECK(d.size() == 1);
    CHECK(report.skipped == 1);
  }
}

TEST_CASE("an image whose header claims a huge size is refused by its size, before it is decoded", "[data]") {
  // The corpus' 69-byte PNG and small JPEG claim 20000x20000 and 60000x60000 pixels; a decoder
  // would try to allocate gigabytes for them on every loading thread.
  const std::filesystem::path corpus = std::filesystem::path(FERMAP_SOURCE_DIR) / "tests/fixtures/bad/images";
  const std::filesystem::path root = std::filesystem::path(FERMAP_TEST_TMP) / "data_bad_huge";
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root / "train/angry");
  for (const char* name : {"huge.png", "huge.jpg"}) {
    std::filesystem::copy_file(corpus / name, root / "train/angry" / name);
    const std::filesystem::path alone = root / "alone" / name;
    std::filesystem::create_directories(alone / "train/angry");
    std::filesystem::copy_file(corpus / name, alone / "train/angry" / name);
    const std::string msg =
        message_of<FormatError>([&] { load_image_folder(alone.string(), "train", angry_only(false)); });
    const std::string size = std::string(name) == "huge.png" ? "20000x20000" : "60000x60000";
    CHECK_THAT(msg, Contains(name) && Contains("is " + size + ", expected 48x48"));
  }
  std::filesystem::copy_file(bad_root("corrupt") + "/train/angry/good.jpg", root / "train/angry/good.jpg");
  LoadReport report;
  const Dataset d = load_image_folder(root.string(), "train", angry_only(true), &report);
  CHECK(d.size() == 1);
  CHECK(report.skipped == 2);
}

TEST_CASE("a 3-channel image with equal channels is gray, other files and hidden ones are ignored", "[data]") {
  LoadReport report;
  const Dataset d = load_image_folder(bad_root("accepted"), "train", angry_only(false), &report);
  REQUIRE(d.size() == 2);
  CHECK(report.skipped == 0);
  CHECK_THAT(d.sources[1], Contains("gray_rgb.png"));
  CHECK(std::equal(d.image(0), d.image(0) + 2304, d.image(1)));
}

TEST_CASE("an unknown class folder is an error naming it", "[data]") {
  const std::string msg =
      message_of<FormatError>([] { load_image_folder(bad_root("unknown_class"), "train", angry_only(false)); });
  CHECK_THAT(msg, Contains("joy"));
  LoadReport report;
  const Dataset d = load_image_folder(bad_root("unknown_class"), "train", angry_only(true), &report);
  CHECK(d.size() == 1);
  CHECK(report.skipped == 1);
  CHECK_THAT(report.problems.at(0), Contains("joy"));
}

TEST_CASE("an empty or missing class folder is an error naming it", "[data]") {
  LoadOptions o = angry_only(false);
  o.classes = {"angry", "happy"};
  CHECK_THAT(message_of<FormatError>([&] { load_image_folder(bad_root("empty_class"), "train", o); }),
             Contains("happy") && Contains("empty"));
  o.classes = {"angry", "sad"};
  CHECK_THAT(message_of<FormatError>([&] { load_image_folder(bad_root("empty_class"), "train", o); }),
             Contains("sad") && Contains("missing"));
  o.skip_bad = true;
  LoadReport report;
  const Dataset d = load_image_folder(bad_root("empty_class"), "train", o, &report);
  CHECK(d.size() == 1);
  CHECK(d.class_counts() == std::vector<size_t>{1, 0});
  CHECK(report.skipped == 1);
}

TEST_CASE("a missing split folder or no usable image is an error even with skip_bad", "[data]") {
  CHECK_THAT(message_of<IoError>([] { load_image_folder(bad_root("corrupt"), "test", angry_only(true)); }),
             Contains("corrupt/test"));
  LoadOptions o = angry_only(true);
  o.classes = {"happy"};
  CHECK_THAT(message_of<FormatError>([&] { load_image_folder(bad_root("empty_class"), "train", o); }),
             Contains("no usable image"));
}

TEST_CASE("CSV rows with a bad pixel count, non-number, bad emotion or Usage name the line", "[data]") {
  const struct {
    const char* name;
    std::string row;
    const char* why;
  } cases[] = {
      {"count.csv", "0," + pixels(2303) + ",Training\n", "2303 pixels"},
      {"long.csv", "0," + pixels(2305) + ",Training\n", "2305 pixels"},
      {"nan.csv", "0," + pixels(5) + " ab " + pixels(2298) + ",Training\n", "'ab'"},
      {"neg.csv", "0," + pixels(2303) + " -1,Training\n", "'-1'"},
      {"range.csv", "0," + pixels(2303) + " 256,Training\n", "256"},
      {"emotion.csv", "7," + pixels(2304) + ",Training\n", "emotion '7'"},
      {"emotion_text.csv", "happy," + pixels(2304) + ",Training\n", "emotion 'happy'"},
      {"usage.csv", "0," + pixels(2304) + ",Validation\n", "Usage 'Validation'"},
      {"fields.csv", "0," + pixels(2304) + "\n", "2 fields"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const std::string path = write_csv(c.name, kHeader + kGoodRow + c.row + kGoodRow);
    const std::string msg =
        message_of<FormatError>([&] { load_fer2013_csv(path, "train", with_all(), nullptr); });
    CHECK_THAT(msg, Contains(path + ":3") && Contains(c.why));
    LoadOptions skip = with_all();
    skip.skip_bad = true;
    LoadReport report;
    const Dataset d = load_fer2013_csv(path, "train", skip, &report);
    CHECK(d.size() == 2);
    CHECK(d.sources == std::vector<std::string>{path + ":2", path + ":4"});
    CHECK(d.labels == std::vector<int>{3, 3});
    CHECK(report.skipped == 1);
  }
}

TEST_CASE("CSV with a missing column or a malformed header is an error naming the file", "[data]") {
  const struct {
    const char* name;
    std::string text;
    const char* why;
  } cases[] = {
      {"empty.csv", "", "empty"},
      {"blank.csv", "\n\n", "empty"},
      {"no_usage.csv", "emotion,pixels\n3," + pixels(2304) + "\n", "Usage"},
      {"no_header.csv", kGoodRow + kGoodRow, "emotion"},
      {"twice.csv", "emotion,pixels,Usage,pixels\n", "twice"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const std::string path = write_csv(c.name, c.text);
    LoadOptions skip = with_all();
    skip.skip_bad = true;
    CHECK_THAT(message_of<FormatError>([&] { load_fer2013_csv(path, "train", skip, nullptr); }),
               Contains(path) && Contains(c.why));
  }
  CHECK_THAT(message_of<IoError>([] { load_fer2013_csv("/nonexistent/fer2013.csv", "train", with_all(), nullptr); }),
             Contains("/nonexistent/fer2013.csv"));
}

TEST_CASE("CSV: CRLF line ends, a BOM, quoted fields and reordered columns are read", "[data]") {
  const std::string text = "\xEF\xBB\xBFUsage,emotion,pixels\r\nTraining,6,\"" + pixels(2304, "200") +
                           "\"\r\n\r\nPublicTest,3," + pixels(2304) + "\r\n";
  const std::string path = write_csv("variants.csv", text);
  const Dataset d = load_fer2013_csv(path, "train", with_all(), nullptr);
  REQUIRE(d.size() == 1);
  CHECK(d.class_names[static_cast<size_t>(d.labels[0])] == "neutral");
  CHECK(d.image(0)[0] == 200);
  CHECK(d.image(0)[2303] == 200);
  const Dataset t = load_fer2013_csv(path, "test", with_all(), nullptr);
  CHECK(t.sources == std::vector<std::string>{path + ":4"});
}
