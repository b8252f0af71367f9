// Tests on the full FER2013 image folder (tag [dataset]); they read its location from the
// FERMAP_DATA environment variable and pass without checking anything when it is unset.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#include "fermap/data/batch.hpp"
#include "fermap/data/fer2013.hpp"

using namespace fermap;

namespace {

// The FER2013 root from FERMAP_DATA, or "" when unset.
std::string data_root() {
  const char* env = std::getenv("FERMAP_DATA");
  return env ? env : "";
}

LoadOptions classes(const std::vector<std::string>& names) {
  LoadOptions o;
  o.classes = names;
  return o;
}

}  // namespace

// The paper (Table 1) and the folder agree: 21,005 train images for the 4 classes. (The folder's
// MANIFEST.md states 20,995 in its prose, an addition slip: its own table sums to 21,005.)
TEST_CASE("FER2013 folder: the paper's 4 classes, train and test counts", "[dataset]") {
  const std::string root = data_root();
  if (root.empty()) return;
  LoadReport report;
  const Dataset train = load_image_folder(root, "train", classes(paper_classes()), &report);
  CHECK(train.size() == 21005);
  CHECK(train.class_counts() == std::vector<size_t>{3995, 7215, 4965, 4830});
  CHECK(report.skipped == 0);
  const Dataset test = load_image_folder(root, "test", classes(paper_classes()), &report);
  CHECK(test.size() == 5212);
  CHECK(test.class_counts() == std::vector<size_t>{958, 1774, 1233, 1247});
  CHECK(report.skipped == 0);

  const auto plan = plan_epoch(train, Balance::paper, false, 0, 0);
  CHECK(plan.size() == 57720);
  const TrainValSplit split = split_stratified(train, 0.1, 0);
  CHECK(split.val.class_counts() == std::vector<size_t>{400, 722, 497, 483});
  CHECK(split.train.size() + split.val.size() == 21005);
}

TEST_CASE("FER2013 folder: all 7 classes", "[dataset]") {
  const std::string root = data_root();
  if (root.empty()) return;
  const Dataset train = load_image_folder(root, "train", classes(all_classes()));
  CHECK(train.size() == 28709);
  CHECK(train.class_counts() == std::vector<size_t>{3995, 436, 4097, 7215, 4965, 4830, 3171});
  const Dataset test = load_image_folder(root, "test", classes(all_classes()));
  CHECK(test.size() == 7178);
  CHECK(test.class_counts() == std::vector<size_t>{958, 111, 1024, 1774, 1233, 1247, 831});
  size_t training = 0, public_test = 0, private_test = 0;
  for (const auto& s : train.sources) training += s.find("/Training_") != std::string::npos;
  for (const auto& s : test.sources) {
    public_test += s.find("/PublicTest_") != std::string::npos;
    private_test += s.find("/PrivateTest_") != std::string::npos;
  }
  CHECK(training == 28709);
  CHECK(public_test == 3589);
  CHECK(private_test == 3589);
}
