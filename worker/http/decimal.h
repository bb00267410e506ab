// Unsigned decimal numbers as HTTP fields carry them (Content-Length, Content-Range, Range): digits only, at
// least one, at most 18 (never overflows; far past any object size).
#pragma once
#include <cstdint>
#include <string_view>

namespace s3p::http {

inline bool parse_decimal(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  out = v;
  return true;
}

}  // namespace s3p::http
