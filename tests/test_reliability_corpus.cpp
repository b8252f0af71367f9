// The hostile-input corpus (tests/fixtures/bad/, README.md there) run through every fermap
// subcommand that reads such a file: each answers with one line on stderr naming the file and
// the problem, and exit code 1 — no crash, no hang, no huge allocation (the address space is
// capped). The valid-but-awkward files of the corpus must be read right.
#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

namespace fs = std::filesystem;
using fermap::test::CliRun;
using fermap::test::run_cli_captured;

namespace {

const std::string kCorpus = std::string(FERMAP_SOURCE_DIR) + "/tests/fixtures/bad";
const std::string kTiny = kCorpus + "/models/tiny.fmp";
const std::string kFace = std::string(FERMAP_SOURCE_DIR) + "/tests/fixtures/data/folder/train/angry/Training_10118481.jpg";
const std::string kGoodData = std::string(FERMAP_SOURCE_DIR) + "/tests/fixtures/data/folder";
const std::string kShipped = std::string(FERMAP_SOURCE_DIR) + "/data/models/custom_cnn.fmp";  // has batch-norm layers

std::string tmp(const std::string& name) { return std::string(FERMAP_TEST_TMP) + "/reliability/" + name; }

// One bad file and what its error must say.
struct BadFile {
  std::string path;  // relative to the corpus
  std::string why;   // a phrase of the expected message
};

const std::vector<BadFile> kImages = {
    {"images/empty.jpg", "empty file"},
    {"images/empty.png", "empty file"},
    {"images/truncated.jpg", "truncated JPEG"},
    {"images/truncated.png", "truncated PNG"},
    {"images/jpeg_magic_only.jpg", "truncated JPEG"},
    {"images/png_magic_only.png", "truncated PNG"},
    {"images/bad_frame_header.jpg", "not a readable image"},
    {"images/bitflip.png", "CRC mismatch"},
    {"images/huffman_overflow.jpg", "corrupt JPEG (a malformed Huffman table)"},
    {"images/pnm_overflow.pgm", "corrupt PNM header (a number of 17 digits)"},
    {"images/huge.png", "20000x20000, over the limit"},
    {"images/huge.jpg", "60000x60000, over the limit"},
    {"images/one_pixel.png", "1x1, too small"},
    {"images/text.jpg", "not a readable image"},
    {"images/page.png", "not a readable image"},
    {"images/songs.jpeg", "not a readable image"},
    {"images/random.png", "not a readable image"},
};
const std::vector<BadFile> kBrokenModels = {
    {"models/empty.fmp", "not a fermap model file"},
    {"models/not_a_model.fmp", "not a fermap model file"},
    {"models/truncated.fmp", "truncated"},
    {"models/huge_header_length.fmp", "truncated"},
    {"models/bitflip.fmp", "checksum mismatch"},
    {"models/newer_version.fmp", "newer than this fermap reads"},
    {"models/malformed_header.fmp", "malformed header"},
    {"models/huge_tensor.fmp", "needs more bytes than the file has left"},
    {"models/negative_dim.fmp", "dimension of -1"},
    {"models/huge_layer.fmp", "needs more memory than the file's weights could fill"},
    {"models/huge_padding.fmp", "malformed or out-of-range \"top\""},
    {"models/huge_input.fmp", "not a list of sizes 1..32768"},
    {"models/unknown_layer.fmp", "unknown layer type \"Transformer\""},
    {"models/missing_tensor.fmp", "holds 1 of the model's 2 parameters"},
    {"models/deep_nesting.fmp", "nests layer lists more than 16 deep"},
};
// Whole, valid files of an architecture the face commands cannot use (summary shows them).
const std::vector<BadFile> kWrongArchitecture = {
    {"models/wrong_input.fmp", "not an image classifier"},
    {"models/class_count.fmp", "names 3 classes but the model gives (4) outputs"},
};
const std::vector<BadFile> kSongTables = {
    {"songs/empty.csv", "empty song table"},
    {"songs/blank_lines.csv", "empty song table"},
    {"songs/header_only.csv", "no valid song in the table (0 rows"},
    {"songs/missing_column.csv", "missing column 'valence'"},
    {"songs/unknown_layout.csv", "unknown song table layout"},
    {"songs/binary.csv", "unknown song table layout"},
    {"songs/extra_fields.csv", "expected 19 fields, found 20"},
    {"songs/all_nan.csv", "not a number in column 13: 'NaN'"},
    {"songs/unterminated_quote.csv", "no valid song in the table"},
};
const std::vector<BadFile> kData = {
    {"fer/empty.csv", "empty file"},
    {"fer/missing_column.csv", "no column 'Usage'"},
    {"fer/extra_field.csv", "has 4 fields, expected 3"},
    {"fer/nan_pixel.csv", "pixel 2304 'nan' is not an integer"},
    {"fer/nan_emotion.csv", "emotion 'NaN' is not an id"},
    {"fer/truncated.csv", "has 2 fields, expected 3"},
    {"fer/binary.csv", "no column 'emotion'"},
    {"datasets/empty_class", "sad: empty class folder"},
    {"datasets/unknown_class", "unknown class folder 'joy'"},
    {"datasets/corrupt_image", "b.png: image is a truncated PNG"},
    {"datasets/huffman_overflow", "a.jpg: image is a corrupt JPEG (a malformed Huffman table)"},
    {"datasets/no_splits", "holds neither a 'train' folder"},
};
// Files of the corpus that are no videos either (predict --video).
const std::vector<BadFile> kNotVideos = {
    {"images/empty.jpg", "not a video OpenCV can decode"},
    {"images/text.jpg", "gave no frame OpenCV can decode"},
    {"images/random.png", "gave no frame OpenCV can decode"},
    {"images/page.png", "gave no frame OpenCV can decode"},
    {"models/tiny.fmp", "not a video OpenCV can decode"},
};
// Valid inputs, awkward but right: the last section checks they are read right.
const std::vector<std::string> kValid = {"models/tiny.fmp", "models/seven_classes.fmp", "songs/valid/quoted_commas.csv",
                                         "songs/valid/crlf.csv", "songs/valid/bom.csv", "songs/valid/some_bad_rows.csv",
                                         "fer/valid/crlf_bom_quoted.csv"};

// The commands that read one kind of file; {} stands for the file.
using Commands = std::vector<std::string>;

std::string with_file(std::string command, const std::string& file) {
  const size_t at = command.find("{}");
  return command.replace(at, 2, file);
}

std::string line_count_message(const CliRun& run) { return "stderr was:\n" + run.err + "stdout was:\n" + run.out; }

// Runs every command on every file; each must fail with one clear line.
void expect_clear_errors(const std::vector<BadFile>& files, const Commands& commands) {
  for (const BadFile& f : files) {
    const std::string path = kCorpus + "/" + f.path;
    for (const std::string& command : commands) {
      const CliRun run = run_cli_captured(with_file(command, path));
      INFO("fermap " << with_file(command, path) << "\n" << line_count_message(run));
      CHECK(run.exit_code == 1);
      CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
      CHECK(run.err.rfind("fermap: error: ", 0) == 0);
      CHECK_THAT(run.err, Catch::Contains(fs::path(f.path).filename().string()) && Catch::Contains(f.why));
    }
  }
}

// Every file of the corpus' file folders, relative to the corpus.
std::set<std::string> corpus_files() {
  std::set<std::string> out;
  for (const char* dir : {"images", "models", "songs", "fer"})
    for (const auto& e : fs::recursive_directory_iterator(kCorpus + "/" + dir))
      if (e.is_regular_file()) out.insert(fs::relative(e.path(), kCorpus).string());
  return out;
}

}  // namespace

TEST_CASE("every file of the hostile corpus through every subcommand that reads it", "[reliability][cli]") {
  fs::remove_all(tmp(""));
  fs::create_directories(tmp(""));

  SECTION("images") {
    expect_clear_errors(kImages,
                        {"predict {} --model " + kTiny, "predict --no-detect {} --model " + kTiny,
                         "recommend {} --model " + kTiny + " --seed 1"});
  }

  SECTION("files that are not videos") {
    expect_clear_errors(kNotVideos, {"predict --video {} --model " + kTiny});
  }

  SECTION("model files") {
    const Commands readers = {"predict --no-detect " + kFace + " --model {}",
                              "recommend --no-detect " + kFace + " --model {} --seed 1",
                              "eval {} --data " + kGoodData, "calibrate {} --data " + kGoodData + " --out " + tmp("calibrated.fmp"),
                              "summary {}"};
    expect_clear_errors(kBrokenModels, readers);
    // Whole, valid files of an architecture the face commands cannot use: summary shows them.
    expect_clear_errors(kWrongArchitecture, Commands(readers.begin(), readers.end() - 1));
    // `fermap average` reads every file as the first one is read, so the second stands for all.
    expect_clear_errors(kBrokenModels, {"average " + kShipped + " {} --out " + tmp("averaged.fmp")});
    CHECK_FALSE(fs::exists(tmp("averaged.fmp")));
  }

  SECTION("song tables") {
    expect_clear_errors(kSongTables, {"recommend --emotion happy --songs {}"});
  }

  SECTION("FER2013 CSVs and dataset folders") {
    const std::string run = tmp("train_run");
    expect_clear_errors(kData, {"data stats {} --splits train", "eval " + kTiny + " --data {} --split train",
                                "train --data {} --recipe fast --epochs 1 --out " + run,
                                "calibrate " + kShipped + " --data {} --out " + tmp("calibrated.fmp")});
    CHECK_FALSE(fs::exists(run));  // bad data leaves no run folder behind
    CHECK_FALSE(fs::exists(tmp("calibrated.fmp")));  // nor a recalibrated model
  }

  SECTION("a checkpoint of another architecture is refused by --resume") {
    for (const char* model : {"models/tiny.fmp", "models/seven_classes.fmp"}) {
      const std::string run = tmp(std::string("resume_") + fs::path(model).stem().string());
      fs::create_directories(run);
      fs::copy_file(kCorpus + "/" + model, run + "/checkpoint.fmp");
      const CliRun r = run_cli_captured("train --data " + kGoodData + " --recipe fast --epochs 1 --resume --out " + run);
      INFO(line_count_message(r));
      CHECK(r.exit_code == 1);
      CHECK_THAT(r.err, Catch::EndsWith("checkpoint.fmp: holds a different architecture than the model it is loaded into\n"));
    }
  }

  SECTION("the valid files of the corpus are read right") {
    const std::string songs = kCorpus + "/songs/valid/";
    const auto names = [](const CliRun& run) {
      std::vector<std::string> out;
      const nlohmann::json j = nlohmann::json::parse(run.out);  // a named copy: looping over a temporary's member dangles
      for (const auto& s : j.at("songs")) out.push_back(s.at("name").get<std::string>());
      return out;
    };
    const std::string ask = "recommend --emotion happy --mode match -n 5 --json --songs ";
    CliRun r = run_cli_captured(ask + songs + "quoted_commas.csv");
    REQUIRE(r.exit_code == 0);
    auto got = names(r);
    std::sort(got.begin(), got.end());
    CHECK(got == std::vector<std::string>{"Hello, Goodbye", "Say \"Yes\", then"});
    CHECK(r.err.empty());
    for (const char* file : {"crlf.csv", "bom.csv"}) {
      r = run_cli_captured(ask + songs + file);
      REQUIRE(r.exit_code == 0);
      CHECK(names(r) == std::vector<std::string>{std::string(file) == "crlf.csv" ? "Crlf Song" : "Bom Song"});
      CHECK(r.err.empty());
    }
    r = run_cli_captured(ask + songs + "some_bad_rows.csv");
    REQUIRE(r.exit_code == 0);
    CHECK(names(r) == std::vector<std::string>{"Good Song"});
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK_THAT(r.err, Catch::StartsWith("note: 2 malformed rows skipped") && Catch::Contains("some_bad_rows.csv:3"));

    r = run_cli_captured("data stats " + kCorpus + "/fer/valid/crlf_bom_quoted.csv");
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("happy"));
    CHECK(r.err.empty());

    r = run_cli_captured("predict --no-detect --json " + kFace + " --model " + kTiny);
    REQUIRE(r.exit_code == 0);
    CHECK(nlohmann::json::parse(r.out)[0]["faces"].size() == 1);
    r = run_cli_captured("summary " + kCorpus + "/models/seven_classes.fmp");
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("surprise") && Catch::Contains("Total params: 14"));
  }

}

TEST_CASE("the corpus test runs every file of the corpus", "[reliability]") {
  std::set<std::string> listed(kValid.begin(), kValid.end());
  for (const auto* list : {&kImages, &kBrokenModels, &kWrongArchitecture, &kSongTables, &kData})
    for (const BadFile& f : *list) listed.insert(f.path);
  for (const std::string& f : corpus_files()) {
    INFO(f << " is in tests/fixtures/bad but the corpus test does not run it");
    CHECK(listed.count(f) == 1);
  }
}
