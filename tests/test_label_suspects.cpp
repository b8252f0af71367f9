// Image lists and label suspects: reading a list, leaving its images out, finding the images whose
// label a model doubts, and the `fermap data suspects` -> `fermap train --exclude` round trip on
// synthetic faces with deliberately wrong labels.
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "cli_runner.hpp"
#include "fermap/data/fer2013.hpp"
#include "fermap/data/image_list.hpp"
#include "fermap/error.hpp"
#include "fermap/label_suspects.hpp"
#include "fermap/train.hpp"
#include "synthetic_faces.hpp"
#include "train_support.hpp"

using namespace fermap;
namespace fs = std::filesystem;

namespace {

std::string scratch(const std::string& name) { return std::string(FERMAP_TEST_TMP) + "/" + name; }

void write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// Four images named a..d, labels 0, 1, 0, 1 of classes x and y.
Dataset four_images() {
  Dataset d;
  d.height = d.width = 2;
  d.class_names = {"x", "y"};
  for (int i = 0; i < 4; ++i) {
    d.pixels.insert(d.pixels.end(), 4, static_cast<uint8_t>(10 * i));
    d.labels.push_back(i % 2);
    d.sources.push_back(std::string(1, static_cast<char>('a' + i)));
  }
  return d;
}

std::vector<std::string> names_of(const std::vector<ListedImage>& list) {
  std::vector<std::string> names;
  for (const ListedImage& image : list) names.push_back(image.name);
  return names;
}

}  // namespace

TEST_CASE("an image list skips comments and blank or space-only lines and ignores what follows a tab", "[suspects]") {
  const std::string path = scratch("image_list_basic.txt");
  write(path, "# made by hand\n\nROOT/train/sad/1.png\tlabel sad p 0.01\r\n  \nfer2013.csv:42\n#ROOT/x.png\n");
  const std::vector<ListedImage> list = read_image_list(path);
  CHECK(names_of(list) == std::vector<std::string>{"ROOT/train/sad/1.png", "fer2013.csv:42"});
  CHECK(list[0].line == 3);
  CHECK(list[1].line == 5);
}

TEST_CASE("an image list that names an image twice, or cannot be read, is refused by name", "[suspects]") {
  const std::string path = scratch("image_list_twice.txt");
  write(path, "a.png\nb.png\na.png\tagain\n");
  CHECK_THROWS_AS(read_image_list(path), FormatError);
  CHECK_THROWS_WITH(read_image_list(path), Catch::Contains(path + ":3: a.png is listed already on line 1"));
  CHECK_THROWS_AS(read_image_list(scratch("no_such_list.txt")), IoError);
  CHECK_THROWS_WITH(read_image_list(scratch("no_such_list.txt")), Catch::Contains("no_such_list.txt: cannot open"));
}

TEST_CASE("leaving listed images out keeps the others, in order, and finds where the listed ones are", "[suspects]") {
  const Dataset d = four_images();
  const std::vector<ListedImage> list = {{"c", 1}, {"a", 2}, {"elsewhere", 3}};
  CHECK(find_listed_images(d, list) == std::vector<size_t>{0, 2});
  const Dataset kept = without_listed_images(d, list);
  CHECK(kept.sources == std::vector<std::string>{"b", "d"});
  CHECK(kept.labels == std::vector<int>{1, 1});
  CHECK(kept.pixels == std::vector<uint8_t>{10, 10, 10, 10, 30, 30, 30, 30});
  CHECK(kept.class_names == d.class_names);
  CHECK(without_listed_images(d, {}).sources == d.sources);
  CHECK(without_listed_images(d, {{"d", 1}, {"b", 2}, {"c", 3}, {"a", 4}}).size() == 0);
}

TEST_CASE("suspects are the images whose own label is below the threshold, least probable first", "[suspects]") {
  const Dataset d = four_images();  // labels 0 1 0 1
  const Tensor p(Shape{4, 2}, {0.9f, 0.1f,     // a: label x at 0.9
                               0.7f, 0.3f,     // b: label y at 0.3
                               0.95f, 0.05f,   // c: label x at 0.95
                               0.8f, 0.2f});   // d: label y at 0.2
  const std::vector<LabelSuspect> suspects = find_label_suspects(p, d, 0.3f);
  REQUIRE(suspects.size() == 1);  // b's 0.3 is not below 0.3
  CHECK(suspects[0].index == 3);
  CHECK(suspects[0].label_probability == 0.2f);
  CHECK(suspects[0].predicted == 0);
  CHECK(suspects[0].predicted_probability == 0.8f);
  const std::vector<LabelSuspect> more = find_label_suspects(p, d, 0.5f);
  REQUIRE(more.size() == 2);
  CHECK(more[0].index == 3);
  CHECK(more[1].index == 1);
  CHECK(find_label_suspects(p, d, 0.05f).empty());

  CHECK_THROWS_AS(find_label_suspects(Tensor(Shape{3, 2}), d, 0.5f), ShapeError);
  CHECK_THROWS_AS(find_label_suspects(Tensor(Shape{4, 3}), d, 0.5f), ShapeError);
  CHECK_THROWS_AS(find_label_suspects(p, d, 0.0f), ArgumentError);
  CHECK_THROWS_AS(find_label_suspects(p, d, 1.5f), ArgumentError);
}

TEST_CASE("a suspect list reads back as the suspects' images, with the reasons beside them", "[suspects]") {
  const Dataset d = four_images();
  const Tensor p(Shape{4, 2}, {0.2f, 0.8f, 0.6f, 0.4f, 0.5f, 0.5f, 0.9f, 0.1f});
  const std::vector<LabelSuspect> suspects = find_label_suspects(p, d, 0.45f);
  const std::string text = label_suspect_list(suspects, d, {"why: a test", "second line"});
  CHECK_THAT(text, Catch::StartsWith("# why: a test\n# second line\nd\tlabel y p 0.1000\tpredicted x p 0.9000\n"));
  const std::string path = scratch("image_list_suspects.txt");
  write(path, text);
  CHECK(names_of(read_image_list(path)) == std::vector<std::string>{"d", "a", "b"});
}

// Synthetic faces with 6 training images moved into another class's folder: wrong labels.
// A model trained on the clean copy lists them as suspects; a run with the list leaves them out.
TEST_CASE("fermap data suspects finds wrong labels and fermap train --exclude leaves them out", "[suspects][cli][train]") {
  const std::string clean = test::synthetic_dataset();
  const std::string noisy = scratch("suspects_noisy");
  fs::remove_all(noisy);
  fs::copy(clean, noisy, fs::copy_options::recursive);
  std::set<std::string> moved;
  for (int i = 0; i < 3; ++i) {
    for (const auto& [from, to] : {std::pair{"happy", "sad"}, std::pair{"angry", "neutral"}}) {
      const std::string name = "moved" + std::to_string(i) + ".png";
      fs::rename(noisy + "/train/" + from + "/" + std::to_string(i) + ".png", noisy + "/train/" + to + "/" + name);
      moved.insert(noisy + "/train/" + to + "/" + name);
    }
  }

  TrainConfig c = test::tiny_config("suspects_model", 3);
  const TrainResult model = train(c);
  REQUIRE(test::tiny_test_accuracy(model.best_model_path) > 0.9);

  const std::string list = scratch("suspects_list.txt");
  std::string out;
  const std::string grid = scratch("suspects_grid.png");
  fs::remove(grid);
  REQUIRE(test::run_cli("data suspects " + model.best_model_path + " --data " + noisy + " --out " + list +
                            " --below 0.2 --val-fraction 0 --grid " + grid,
                        out) == 0);
  CHECK(fs::file_size(grid) > 1000);
  INFO(out);
  std::set<std::string> listed;
  for (const ListedImage& image : read_image_list(list)) listed.insert(image.name);
  for (const std::string& path : moved) CHECK(listed.count(path) == 1);
  CHECK(listed.size() <= moved.size() + 2);  // hardly a correct label among them
  CHECK_THAT(out, Catch::Contains(std::to_string(listed.size()) + " of 160 ") && Catch::Contains("wrote " + list));
  CHECK_THAT(test::read_text(list), Catch::Contains("\tlabel sad p ") && Catch::Contains("\tpredicted happy p "));

  // The run leaves out the listed training images; those in its validation split stay.
  TrainConfig without = test::tiny_config("suspects_excluded", 1);
  without.data = noisy;
  without.exclude = list;
  without.val_fraction = 0.25;
  without.max_steps = 1;
  train(without);
  const std::string log = test::read_text(without.out_dir + "/train.log");
  INFO(log);
  CHECK_THAT(log, Catch::Contains("training images left out (listed in " + list + ")"));
  // "exclude: N training images left out (...)[; M listed validation images stay]"
  const size_t at = log.find("exclude: ");
  REQUIRE(at != std::string::npos);
  const size_t left_out = std::stoul(log.substr(at + 9));
  const size_t stay = log.find("listed validation images stay");
  const size_t stayed = stay == std::string::npos ? 0 : std::stoul(log.substr(log.rfind("; ", stay) + 2));
  CHECK(left_out + stayed == listed.size());
  CHECK(left_out > 0);
  CHECK_THAT(log, Catch::Contains("data: " + std::to_string(120 - left_out) + " train, 40 validation images"));

  // A list naming an image the data does not hold is refused, naming the list's line.
  write(list, "# stale\n" + noisy + "/train/sad/no-such.png\n");
  TrainConfig stale = test::tiny_config("suspects_stale", 1);
  stale.data = noisy;
  stale.exclude = list;
  CHECK_THROWS_WITH(train(stale), Catch::Contains(list + ":2: " + noisy + "/train/sad/no-such.png is none of the") &&
                                      Catch::Contains("training images of " + noisy));
  CHECK_FALSE(fs::exists(stale.out_dir));
}

TEST_CASE("the suspect grid draws the most doubted faces first, magnified, and refuses an empty list", "[suspects]") {
  Dataset d;
  d.height = d.width = 48;
  d.class_names = {"angry", "happy"};
  for (int i = 0; i < 3; ++i) {
    d.pixels.insert(d.pixels.end(), 48 * 48, static_cast<uint8_t>(100 + 50 * i));
    d.labels.push_back(i % 2);
    d.sources.push_back("face" + std::to_string(i));
  }
  const Tensor p(Shape{3, 2}, {0.3f, 0.7f, 0.9f, 0.1f, 0.8f, 0.2f});
  const std::vector<LabelSuspect> suspects = find_label_suspects(p, d, 0.5f);  // face 1 (0.1), then face 0 (0.3)
  REQUIRE(suspects.size() == 2);
  const PreviewImage grid = label_suspect_grid(d, suspects, 10, 8, 2);
  // Two cells side by side: 96-pixel faces, 6-pixel gaps, a 30-pixel caption beneath.
  CHECK(grid.width == 6 + 2 * (96 + 6));
  CHECK(grid.height == 6 + 96 + 30 + 6);
  const auto at = [&](int x, int y) { return grid.pixels[static_cast<size_t>(y * grid.width + x)]; };
  CHECK(at(6 + 48, 6 + 48) == 150);             // first cell: face 1, the least probable label
  CHECK(at(6 + 102 + 48, 6 + 48) == 100);       // second: face 0
  CHECK(at(6 + 102 + 95, 6 + 95) == 100);       // the face fills its 96 x 96 square
  CHECK(at(3, 3) == 40);                        // background
  const PreviewImage one = label_suspect_grid(d, suspects, 1, 8, 1);
  CHECK(one.width == 6 + 96 + 6);  // a cell is at least 96 wide, to hold its caption
  CHECK_THROWS_AS(label_suspect_grid(d, {}, 10), ArgumentError);
  CHECK_THROWS_AS(label_suspect_grid(d, suspects, 0), ArgumentError);
}
