#include "worker/http/uri.h"

#include <cstdint>
#include <utility>

namespace s3p::http {
namespace {

constexpr bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

// -1 for a non-hex byte.
inline int hex_value(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool decode(std::string_view in, std::string& out, bool plus_is_space) {
  // Decoding never grows the input: size once, write through a pointer (per-char push_back is an out-of-line
  // call in libc++, which is what wasm builds use), then trim.
  out.resize(in.size());
  char* const base = out.empty() ? nullptr : &out[0];
  char* p = base;
  const size_t n = in.size();
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(in[i]);
    if (c == '%') {
      if (n - i < 3) return false;  // fewer than two bytes follow the '%'
      const int hi = hex_value(static_cast<unsigned char>(in[i + 1]));
      const int lo = hex_value(static_cast<unsigned char>(in[i + 2]));
      if (hi < 0 || lo < 0) return false;
      *p++ = static_cast<char>((hi << 4) | lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      *p++ = ' ';
    } else {
      *p++ = static_cast<char>(c);
    }
  }
  out.resize(static_cast<size_t>(p - base));
  return true;
}

}  // namespace

void uri_encode_append(std::string& out, std::string_view s, bool encode_slash) {
  static const char kHex[] = "0123456789ABCDEF";
  // Count first so the output grows at most once.
  size_t extra = 0;
  for (unsigned char c : s) {
    if (!is_unreserved(c) && !(c == '/' && !encode_slash)) extra += 2;
  }
  const size_t start = out.size();
  out.resize(start + s.size() + extra);
  char* p = &out[start];
  for (unsigned char c : s) {
    if (is_unreserved(c) || (c == '/' && !encode_slash)) {
      *p++ = static_cast<char>(c);
    } else {
      *p++ = '%';
      *p++ = kHex[c >> 4];
      *p++ = kHex[c & 15];
    }
  }
}

std::string uri_encode(std::string_view s, bool encode_slash) {
  std::string out;
  uri_encode_append(out, s, encode_slash);
  return out;
}

bool percent_decode(std::string_view in, std::string& out) { return decode(in, out, false); }

bool form_decode(std::string_view in, std::string& out) { return decode(in, out, true); }

bool parse_query(std::string_view raw, std::vector<QueryParam>& out, bool plus_is_space) {
  out.clear();
  size_t pos = 0;
  while (pos <= raw.size()) {
    size_t amp = raw.find('&', pos);
    if (amp == std::string_view::npos) amp = raw.size();
    const std::string_view part = raw.substr(pos, amp - pos);
    pos = amp + 1;
    if (part.empty()) continue;
    QueryParam p;
    const size_t eq = part.find('=');
    const std::string_view name = eq == std::string_view::npos ? part : part.substr(0, eq);
    if (!decode(name, p.name, plus_is_space)) return false;
    if (eq != std::string_view::npos) {
      p.has_value = true;
      if (!decode(part.substr(eq + 1), p.value, plus_is_space)) return false;
    }
    out.push_back(std::move(p));
  }
  return true;
}

}  // namespace s3p::http
