// lib/songs/csv_reader.hpp — a fast RFC-4180 CSV record reader over a text buffer (internal).
//
// Fields are string_views into the buffer; only a quoted field with doubled quotes is copied (into
// storage that lives until the next call). Handles quoted commas and line breaks, CRLF, LF or lone
// CR line ends, and skips a UTF-8 byte-order mark. It never throws: an unterminated quote runs to
// the end of the buffer. Not a general CSV library: no other delimiters, no comments.
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace fermap::detail {

class CsvReader {
 public:
  explicit CsvReader(std::string_view text);

  // Reads the next record into `fields`; false at the end of the buffer. A blank line is a record
  // of one empty field.
  bool next(std::vector<std::string_view>& fields);
  // 1-based line on which the last record returned by next() started.
  int line() const { return record_line_; }

 private:
  std::string_view read_quoted();

  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
  int record_line_ = 0;
  std::deque<std::string> unescaped_;  // deque: growing it keeps earlier views valid
};

}  // namespace fermap::detail
