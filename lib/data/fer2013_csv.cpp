// load_fer2013_csv: the original fer2013.csv (emotion, pixels, Usage) -> Dataset. Lines are
// checked in parallel, then kept rows' pixels parsed straight into the Dataset in a second pass.
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <string_view>

#include "fermap/data/fer2013.hpp"
#include "fermap/error.hpp"
#include "file_io.hpp"
#include "load_common.hpp"
#include "text.hpp"

namespace fermap {

namespace {

struct Line {
  size_t begin, end;  // byte range in the file, without the line break
  size_t number;      // 1-based line number
};

// Splits a CSV line on commas; a field wrapped in double quotes loses them (no escaped quotes).
std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (true) {
    size_t end = line.find(',', i);
    if (end == std::string_view::npos) end = line.size();
    std::string_view f = detail::trim_spaces(line.substr(i, end - i));
    if (f.size() >= 2 && f.front() == '"' && f.back() == '"') f = detail::trim_spaces(f.substr(1, f.size() - 2));
    fields.push_back(f);
    if (end == line.size()) break;
    i = end + 1;
  }
  return fields;
}

std::vector<Line> split_lines(const std::string& text) {
  std::vector<Line> lines;
  size_t pos = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0, number = 1;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    const size_t next = end == std::string::npos ? text.size() : end + 1;
    if (end == std::string::npos) end = text.size();
    if (end > pos && text[end - 1] == '\r') --end;
    if (!detail::trim_spaces(std::string_view(text).substr(pos, end - pos)).empty() || lines.empty())
      lines.push_back({pos, end, number});
    pos = next;
    ++number;
  }
  return lines;
}

enum Usage { kTraining, kPublicTest, kPrivateTest, kUsages };
const char* const kUsageNames[kUsages] = {"Training", "PublicTest", "PrivateTest"};

std::array<bool, kUsages> usages_of_split(const std::string& split) {
  if (split == "train") return {true, false, false};
  if (split == "test") return {false, true, true};
  for (int u = 0; u < kUsages; ++u)
    if (split == kUsageNames[u]) {
      std::array<bool, kUsages> out{};
      out[static_cast<size_t>(u)] = true;
      return out;
    }
  throw ArgumentError("fer2013 csv: split '" + split +
                      "' is not train, test, Training, PublicTest or PrivateTest");
}

// Parses h*w integers 0..255 separated by white space into out; returns what is wrong, or "".
std::string parse_pixels(std::string_view s, size_t expected, uint8_t* out) {
  size_t count = 0, i = 0;
  while (true) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i == s.size()) break;
    size_t j = i;
    while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j]))) ++j;
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(s.data() + i, s.data() + j, value);
    if (ec != std::errc() || ptr != s.data() + j)
      return "pixel " + std::to_string(count + 1) + " '" + std::string(s.substr(i, std::min<size_t>(j - i, 20))) +
             "' is not an integer";
    if (value > 255)
      return "pixel " + std::to_string(count + 1) + " = " + std::to_string(value) + " is outside 0..255";
    if (count < expected) out[count] = static_cast<uint8_t>(value);
    ++count;
    i = j;
  }
  if (count != expected)
    return "has " + std::to_string(count) + " pixels, expected " + std::to_string(expected);
  return "";
}

}  // namespace

Dataset load_fer2013_csv(const std::string& csv_path, const std::string& split,
                         const LoadOptions& options, LoadReport* report) {
  detail::check_load_options(options);
  const std::array<bool, kUsages> wanted_usage = usages_of_split(split);
  LoadReport local;
  LoadReport& rep = report ? *report : local;
  rep = LoadReport{};
  detail::BadInput bad(options, rep);

  const std::string text = detail::read_whole_file(csv_path, "CSV file");
  const std::vector<Line> lines = split_lines(text);
  const std::string_view view(text);
  if (lines.empty() || detail::trim_spaces(view.substr(lines[0].begin, lines[0].end - lines[0].begin)).empty())
    throw FormatError(csv_path + ": empty file, expected a header line 'emotion,pixels,Usage'");

  const std::vector<std::string_view> header =
      split_fields(view.substr(lines[0].begin, lines[0].end - lines[0].begin));
  const char* const kColumns[3] = {"emotion", "pixels", "usage"};
  int column[3] = {-1, -1, -1};
  for (size_t f = 0; f < header.size(); ++f)
    for (int c = 0; c < 3; ++c)
      if (detail::ascii_lower(header[f]) == kColumns[c]) {
        if (column[c] >= 0)
          throw FormatError(csv_path + ":1: malformed header, column '" + std::string(header[f]) +
                            "' appears twice");
        column[c] = static_cast<int>(f);
      }
  for (int c = 0; c < 3; ++c)
    if (column[c] < 0)
      throw FormatError(csv_path + ":1: malformed header, no column '" +
                        std::string(c == 2 ? "Usage" : kColumns[c]) +
                        "' (the first line must name the columns emotion, pixels, Usage)");

  // Pass 1: fields, emotion and Usage of every row; label of the kept ones (-1 when not kept).
  const std::vector<std::string> ids_to_names = [] {
    std::vector<std::string> v;
    for (int id = 0; id < 7; ++id) v.push_back(fer2013_class_name(id));
    return v;
  }();
  const size_t rows = lines.size() - 1;
  std::vector<int> label(rows, -1);
  std::vector<std::string> errors(rows);
  const auto n = static_cast<int64_t>(rows);
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < n; ++r) {
    const auto k = static_cast<size_t>(r);
    const Line& line = lines[k + 1];
    const auto fields = split_fields(view.substr(line.begin, line.end - line.begin));
    const std::string where = csv_path + ":" + std::to_string(line.number) + ": ";
    if (fields.size() != header.size()) {
      errors[k] = where + "has " + std::to_string(fields.size()) + " fields, expected " +
                  std::to_string(header.size());
      continue;
    }
    const std::string_view e = fields[static_cast<size_t>(column[0])];
    int id = -1;
    const auto [ptr, ec] = std::from_chars(e.data(), e.data() + e.size(), id);
    if (e.empty() || ec != std::errc() || ptr != e.data() + e.size() || id < 0 || id > 6) {
      errors[k] = where + "emotion '" + std::string(e.substr(0, 20)) + "' is not an id 0..6";
      continue;
    }
    const std::string_view u = fields[static_cast<size_t>(column[2])];
    int usage = -1;
    for (int i = 0; i < kUsages; ++i)
      if (u == kUsageNames[i]) usage = i;
    if (usage < 0) {
      errors[k] = where + "Usage '" + std::string(u.substr(0, 20)) +
                  "' is not Training, PublicTest or PrivateTest";
      continue;
    }
    if (!wanted_usage[static_cast<size_t>(usage)]) continue;
    const auto& name = ids_to_names[static_cast<size_t>(id)];
    const auto it = std::find(options.classes.begin(), options.classes.end(), name);
    if (it != options.classes.end()) label[k] = static_cast<int>(it - options.classes.begin());
  }

  // Pass 2: pixels of the kept rows, each into its own slot.
  Dataset data;
  data.height = options.height;
  data.width = options.width;
  data.class_names = options.classes;
  const size_t bytes = data.image_bytes();
  std::vector<size_t> slot(rows, 0);
  size_t kept_rows = 0;
  for (size_t k = 0; k < rows; ++k)
    if (label[k] >= 0 && errors[k].empty()) slot[k] = kept_rows++;
  data.pixels.resize(kept_rows * bytes);
#pragma omp parallel for schedule(dynamic, 64)
  for (int64_t r = 0; r < n; ++r) {
    const auto k = static_cast<size_t>(r);
    if (label[k] < 0 || !errors[k].empty()) continue;
    const Line& line = lines[k + 1];
    const auto fields = split_fields(view.substr(line.begin, line.end - line.begin));
    const std::string why = parse_pixels(fields[static_cast<size_t>(column[1])], bytes,
                                         data.pixels.data() + slot[k] * bytes);
    if (!why.empty()) errors[k] = csv_path + ":" + std::to_string(line.number) + ": " + why;
  }

  // In line order: report or throw the first problem, compact the kept rows.
  size_t kept = 0;
  for (size_t k = 0; k < rows; ++k) {
    if (!errors[k].empty()) {
      bad(errors[k]);
      continue;
    }
    if (label[k] < 0) continue;
    if (kept != slot[k])
      std::copy_n(data.pixels.data() + slot[k] * bytes, bytes, data.pixels.data() + kept * bytes);
    data.labels.push_back(label[k]);
    data.sources.push_back(csv_path + ":" + std::to_string(lines[k + 1].number));
    ++kept;
  }
  data.pixels.resize(kept * bytes);
  if (kept == 0)
    throw FormatError(csv_path + ": no usable row of the selected classes with Usage '" + split + "'");
  rep.loaded = kept;
  return data;
}

}  // namespace fermap
