// Tests for the internal CSV record reader used by the song catalogue.
#include <catch2/catch.hpp>

#include "songs/csv_reader.hpp"

using fermap::detail::CsvReader;

namespace {

std::vector<std::vector<std::string>> read_all(std::string_view text, std::vector<int>* lines = nullptr) {
  CsvReader reader(text);
  std::vector<std::string_view> fields;
  std::vector<std::vector<std::string>> rows;
  while (reader.next(fields)) {
    rows.emplace_back(fields.begin(), fields.end());
    if (lines) lines->push_back(reader.line());
  }
  return rows;
}

}  // namespace

TEST_CASE("csv reader splits plain records on LF and CRLF", "[songs][csv]") {
  const auto rows = read_all("a,b,c\r\n1,,3\n4,5,6");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0] == std::vector<std::string>{"a", "b", "c"});
  CHECK(rows[1] == std::vector<std::string>{"1", "", "3"});
  CHECK(rows[2] == std::vector<std::string>{"4", "5", "6"});
}

TEST_CASE("csv reader handles quotes, doubled quotes and quoted line breaks", "[songs][csv]") {
  std::vector<int> lines;
  const auto rows = read_all("\"Hello, World\",\"say \"\"hi\"\"\",x\n\"two\nlines\",\"\",z\nlast,1,2\n", &lines);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0] == std::vector<std::string>{"Hello, World", "say \"hi\"", "x"});
  CHECK(rows[1] == std::vector<std::string>{"two\nlines", "", "z"});
  CHECK(rows[2] == std::vector<std::string>{"last", "1", "2"});
  CHECK(lines == std::vector<int>{1, 2, 4});
}

TEST_CASE("csv reader skips a UTF-8 byte-order mark and reports blank lines as one empty field", "[songs][csv]") {
  const auto rows = read_all("\xEF\xBB\xBFh1,h2\n\n1,2\n");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0][0] == "h1");
  CHECK(rows[1] == std::vector<std::string>{""});
}

TEST_CASE("csv reader survives an unterminated quote", "[songs][csv]") {
  const auto rows = read_all("a,\"never closed,b\nc");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0][1] == "never closed,b\nc");
}

TEST_CASE("csv reader keeps doubled-quote fields valid across many fields", "[songs][csv]") {
  std::string line;
  for (int i = 0; i < 50; ++i) {
    if (i > 0) line.push_back(',');
    line.append("\"q\"\"").append(std::to_string(i)).push_back('"');
  }
  const auto rows = read_all(line);
  REQUIRE(rows.size() == 1);
  REQUIRE(rows[0].size() == 50);
  CHECK(rows[0][0] == "q\"0");
  CHECK(rows[0][49] == "q\"49");
}
