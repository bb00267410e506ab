// Header lists as the core sees them: names lowercase (the host lowercases on the way in; the core emits lowercase).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace s3p {

struct Header {
  std::string name;
  std::string value;
};
using Headers = std::vector<Header>;

// First value of a lowercase header name, or nullptr.
inline const std::string* find_header(const Headers& hs, std::string_view lower_name) {
  for (const auto& h : hs)
    if (h.name == lower_name) return &h.value;
  return nullptr;
}

inline bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// True when a value could split a header or inject one: CR, LF or NUL.
inline bool has_ctl_break(std::string_view v) {
  for (char c : v)
    if (c == '\r' || c == '\n' || c == '\0') return true;
  return false;
}

}  // namespace s3p
