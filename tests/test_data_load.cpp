// Tests for the FER2013 loaders on the small fixtures: class lists, both layouts, class selection.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>

#include "fermap/data/fer2013.hpp"
#include "fermap/error.hpp"

using namespace fermap;

namespace {

std::string fixture(const std::string& rel) {
  return std::string(FERMAP_SOURCE_DIR) + "/tests/fixtures/data/" + rel;
}

LoadOptions with_classes(std::vector<std::string> classes) {
  LoadOptions o;
  o.classes = std::move(classes);
  return o;
}

}  // namespace

TEST_CASE("class lists have a fixed, documented order", "[data]") {
  CHECK(paper_classes() == std::vector<std::string>{"angry", "happy", "neutral", "sad"});
  CHECK(all_classes() ==
        std::vector<std::string>{"angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"});
  CHECK(fer2013_class_name(0) == "angry");
  CHECK(fer2013_class_name(3) == "happy");
  CHECK(fer2013_class_name(4) == "sad");
  CHECK(fer2013_class_name(6) == "neutral");
  CHECK_THROWS_AS(fer2013_class_name(7), ArgumentError);
  CHECK_THROWS_AS(fer2013_class_name(-1), ArgumentError);
}

TEST_CASE("parse_class_list accepts presets and name lists", "[data]") {
  CHECK(parse_class_list("4") == paper_classes());
  CHECK(parse_class_list("paper") == paper_classes());
  CHECK(parse_class_list("7") == all_classes());
  CHECK(parse_class_list(" ALL ") == all_classes());
  CHECK(parse_class_list("sad, Happy") == std::vector<std::string>{"sad", "happy"});
  CHECK_THROWS_WITH(parse_class_list("happy,joy"), Catch::Contains("joy"));
  CHECK_THROWS_WITH(parse_class_list("happy,happy"), Catch::Contains("twice"));
  CHECK_THROWS_AS(parse_class_list(""), ArgumentError);
  CHECK_THROWS_AS(parse_class_list("happy,"), ArgumentError);
}

TEST_CASE("image folder: the paper's classes load in class then file order", "[data]") {
  LoadReport report;
  const Dataset d = load_image_folder(fixture("folder"), "train", LoadOptions{}, &report);
  d.check();
  CHECK(d.height == 48);
  CHECK(d.width == 48);
  CHECK(d.class_names == paper_classes());
  CHECK(d.size() == 12);
  CHECK(d.class_counts() == std::vector<size_t>{3, 4, 3, 2});
  CHECK(report.loaded == 12);
  CHECK(report.skipped == 0);
  CHECK(report.problems.empty());
  CHECK(d.labels == std::vector<int>{0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 3, 3});
  CHECK_THAT(d.sources[0], Catch::EndsWith("train/angry/Training_10118481.jpg"));
  CHECK_THAT(d.sources[4], Catch::EndsWith("train/happy/Training_10046809.png"));
  CHECK_THAT(d.sources[11], Catch::EndsWith("train/sad/Training_10031481.jpg"));
}

TEST_CASE("image folder: all seven classes and a named subset", "[data]") {
  const Dataset all = load_image_folder(fixture("folder"), "train", with_classes(all_classes()));
  CHECK(all.class_counts() == std::vector<size_t>{3, 1, 1, 4, 3, 2, 1});
  const Dataset test = load_image_folder(fixture("folder"), "test", with_classes(all_classes()));
  CHECK(test.class_counts() == std::vector<size_t>{1, 1, 1, 2, 1, 1, 1});

  const Dataset two = load_image_folder(fixture("folder"), "train", with_classes({"sad", "angry"}));
  CHECK(two.class_names == std::vector<std::string>{"sad", "angry"});
  CHECK(two.labels == std::vector<int>{0, 0, 1, 1, 1});
  CHECK_THAT(two.sources[0], Catch::Contains("/sad/"));
  // The same image under another selection has the same pixels.
  CHECK(std::memcmp(two.image(2), all.image(0), 48 * 48) == 0);
}

TEST_CASE("CSV: same images, same labels, same order as the image folder", "[data]") {
  for (const char* split : {"train", "test"}) {
    const LoadOptions o = with_classes(all_classes());
    const Dataset folder = load_image_folder(fixture("folder"), split, o);
    LoadReport report;
    const Dataset csv = load_fer2013_csv(fixture("fer2013.csv"), split, o, &report);
    csv.check();
    INFO("split " << split);
    CHECK(report.loaded == folder.size());
    CHECK(csv.class_names == folder.class_names);
    CHECK(csv.labels == folder.labels);
    CHECK(csv.pixels == folder.pixels);
  }
}

TEST_CASE("CSV: Usage names, sources with line numbers, class selection", "[data]") {
  const std::string path = fixture("fer2013.csv");
  const Dataset pub = load_fer2013_csv(path, "PublicTest", with_classes(all_classes()));
  const Dataset priv = load_fer2013_csv(path, "PrivateTest", with_classes(all_classes()));
  const Dataset test = load_fer2013_csv(path, "test", with_classes(all_classes()));
  CHECK(pub.size() == 4);
  CHECK(priv.size() == 4);
  CHECK(test.size() == 8);
  const Dataset train = load_fer2013_csv(path, "Training", LoadOptions{});
  CHECK(train.class_counts() == std::vector<size_t>{3, 4, 3, 2});
  CHECK(train.sources[0] == path + ":2");
  CHECK_THROWS_AS(load_fer2013_csv(path, "validation", LoadOptions{}), ArgumentError);
}

TEST_CASE("load_dataset picks the layout from the path", "[data]") {
  const Dataset a = load_dataset(fixture("folder"), "train", LoadOptions{});
  const Dataset b = load_dataset(fixture("fer2013.csv"), "train", LoadOptions{});
  const Dataset c = load_dataset(fixture(""), "train", LoadOptions{});  // folder holding fer2013.csv
  CHECK(a.pixels == b.pixels);
  CHECK(b.sources == c.sources);
  CHECK_THROWS_AS(load_dataset(fixture("nowhere"), "train", LoadOptions{}), IoError);
  CHECK_THROWS_AS(load_dataset(fixture("README.md"), "train", LoadOptions{}), IoError);
  CHECK_THROWS_AS(load_dataset(fixture("folder"), "val", LoadOptions{}), IoError);
}

TEST_CASE("load options are checked", "[data]") {
  CHECK_THROWS_AS(load_image_folder(fixture("folder"), "train", with_classes({})), ArgumentError);
  CHECK_THROWS_AS(load_image_folder(fixture("folder"), "train", with_classes({"joy"})), ArgumentError);
  CHECK_THROWS_AS(load_image_folder(fixture("folder"), "train", with_classes({"sad", "sad"})),
                  ArgumentError);
}
