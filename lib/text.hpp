// Small text helpers the parsers share (internal): ASCII whitespace trimming and lower-casing, for
// CSV cells, class names, column headers and emotion names.
#pragma once

#include <cctype>
#include <string>
#include <string_view>

namespace fermap::detail {

// `s` without leading and trailing whitespace (space, tab, CR, LF, VT, FF).
inline std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// `s` with A-Z lowered (bytes outside ASCII are left as they are).
inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

// Trimmed, then lowered: the form names are compared in.
inline std::string normalised_name(std::string_view s) { return ascii_lower(trim_spaces(s)); }

}  // namespace fermap::detail
