// lib/songs/csv_reader.cpp — CsvReader: one pass over the buffer, no allocation for plain fields.
#include "songs/csv_reader.hpp"

namespace fermap::detail {

CsvReader::CsvReader(std::string_view text) : text_(text) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

bool CsvReader::next(std::vector<std::string_view>& fields) {
  fields.clear();
  unescaped_.clear();
  if (pos_ >= text_.size()) return false;
  record_line_ = line_;
  const char* data = text_.data();
  const size_t size = text_.size();
  while (true) {
    if (pos_ < size && data[pos_] == '"') {
      fields.push_back(read_quoted());
      // Anything between the closing quote and the delimiter is kept out, as most readers do.
      while (pos_ < size && data[pos_] != ',' && data[pos_] != '\n' && data[pos_] != '\r') ++pos_;
    } else {
      const size_t start = pos_;
      while (pos_ < size && data[pos_] != ',' && data[pos_] != '\n' && data[pos_] != '\r') ++pos_;
      fields.emplace_back(data + start, pos_ - start);
    }
    if (pos_ >= size) return true;
    const char c = data[pos_++];
    if (c == ',') continue;
    if (c == '\r' && pos_ < size && data[pos_] == '\n') ++pos_;
    ++line_;
    return true;
  }
}

std::string_view CsvReader::read_quoted() {
  const char* data = text_.data();
  const size_t size = text_.size();
  const size_t start = ++pos_;  // after the opening quote
  std::string* copy = nullptr;
  size_t run = start;  // start of the stretch not yet appended to `copy`
  while (pos_ < size) {
    const char c = data[pos_];
    if (c == '"') {
      if (pos_ + 1 < size && data[pos_ + 1] == '"') {  // doubled quote: one literal quote
        if (!copy) copy = &unescaped_.emplace_back();
        copy->append(data + run, pos_ + 1 - run);
        pos_ += 2;
        run = pos_;
        continue;
      }
      break;
    }
    if (c == '\n' || (c == '\r' && (pos_ + 1 >= size || data[pos_ + 1] != '\n'))) ++line_;
    ++pos_;
  }
  const size_t end = pos_;
  if (pos_ < size) ++pos_;  // the closing quote
  if (!copy) return {data + start, end - start};
  copy->append(data + run, end - run);
  return *copy;
}

}  // namespace fermap::detail
