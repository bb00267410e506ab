#include "worker/http/uri.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "worker/util/sort.h"

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

std::string_view duplicate_param(const std::vector<QueryParam>& params) {
  std::vector<std::string_view> names;
  names.reserve(params.size());
  for (const auto& p : params) names.emplace_back(p.name);
  util::sort(names.begin(), names.end());  // n log n: a 16 KiB query can hold thousands of names
  auto it = std::adjacent_find(names.begin(), names.end());
  return it == names.end() ? std::string_view() : *it;
}

bool valid_utf8(std::string_view s) {
  const size_t n = s.size();
  for (size_t i = 0; i < n;) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07;
    else return false;  // a continuation byte, C0/C1 (always overlong) or F5..FF
    if (n - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = cp << 6 | (cc & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

size_t head_bytes(const Headers& headers, std::string_view raw_query) {
  size_t n = raw_query.size();
  for (const auto& h : headers) n += h.name.size() + h.value.size();
  return n;
}

}  // namespace s3p::http
