#include "worker/s3/xml_escape.h"

#include <cstdint>
#include <cstring>

namespace s3p::xml {
namespace {

constexpr uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;

struct EscapeClass {
  bool c[256] = {};
  constexpr EscapeClass() {
    for (int i = 0; i < 0x20; ++i) c[i] = i != '\t' && i != '\n';
    for (unsigned char x : {'&', '<', '>', '"', '\''}) c[x] = true;
  }
};
constexpr EscapeClass kEscape;

// SWAR tests of 8 bytes at p (listings are mostly clean key bytes; a TAB or LF only sends the word to the byte
// loop). literal8: no & < > or control byte; clean8: nor a quote either.
inline uint64_t zero_byte(uint64_t v) { return (v - kOnes) & ~v & kHighs; }
inline uint64_t literal_bits(uint64_t x) {
  const uint64_t below_space = (x - kOnes * 0x20) & ~x & kHighs;
  return below_space | zero_byte(x ^ (kOnes * '&')) | zero_byte(x ^ (kOnes * '<')) | zero_byte(x ^ (kOnes * '>'));
}
inline bool literal8(const unsigned char* p) {
  uint64_t x;
  std::memcpy(&x, p, 8);
  return literal_bits(x) == 0;
}
inline bool clean8(const unsigned char* p) {
  uint64_t x;
  std::memcpy(&x, p, 8);
  return (literal_bits(x) | zero_byte(x ^ (kOnes * '"')) | zero_byte(x ^ (kOnes * '\''))) == 0;
}

void append_utf8(std::string& out, uint32_t cp) {
  char b[4];
  size_t n;
  if (cp < 0x80) {
    b[0] = static_cast<char>(cp);
    n = 1;
  } else if (cp < 0x800) {
    b[0] = static_cast<char>(0xC0 | (cp >> 6));
    b[1] = static_cast<char>(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    b[0] = static_cast<char>(0xE0 | (cp >> 12));
    b[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    b[2] = static_cast<char>(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    b[0] = static_cast<char>(0xF0 | (cp >> 18));
    b[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    b[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    b[3] = static_cast<char>(0x80 | (cp & 0x3F));
    n = 4;
  }
  out.append(b, n);
}

bool is(std::string_view s, std::string_view lit) { return s == lit; }

}  // namespace

void append_escaped(std::string& out, std::string_view text) {
  const unsigned char* const b = reinterpret_cast<const unsigned char*>(text.data());
  const unsigned char* const e = b + text.size();
  const unsigned char* start = b;
  for (const unsigned char* q = b; q < e; ++q) {
    while (e - q >= 8 && clean8(q)) q += 8;
    if (q >= e) break;
    if (!kEscape.c[*q]) continue;
    const unsigned char c = *q;
    out.append(reinterpret_cast<const char*>(start), static_cast<size_t>(q - start));
    start = q + 1;
    switch (c) {
      case '&': out.append("&amp;", 5); break;
      case '<': out.append("&lt;", 4); break;
      case '>': out.append("&gt;", 4); break;
      case '"': out.append("&quot;", 6); break;
      case '\'': out.append("&apos;", 6); break;
      default: {  // C0 control: &#N;
        char buf[6] = {'&', '#', 0, 0, 0, 0};
        size_t k = 2;
        if (c >= 10) buf[k++] = static_cast<char>('0' + c / 10);
        buf[k++] = static_cast<char>('0' + c % 10);
        buf[k++] = ';';
        out.append(buf, k);
      }
    }
  }
  out.append(reinterpret_cast<const char*>(start), static_cast<size_t>(e - start));
}

bool is_literal_text(std::string_view text) {
  const unsigned char* q = reinterpret_cast<const unsigned char*>(text.data());
  const unsigned char* const e = q + text.size();
  while (e - q >= 8 && literal8(q)) q += 8;
  for (; q < e; ++q) {
    if (kEscape.c[*q] && *q != '"' && *q != '\'') return false;
  }
  return true;
}

bool unescape(std::string_view in, std::string& out) {
  out.clear();
  const char* p = in.data();
  const size_t n = in.size();
  size_t start = 0;
  while (start < n) {
    const void* hit = std::memchr(p + start, '&', n - start);
    if (!hit) break;
    const size_t amp = static_cast<size_t>(static_cast<const char*>(hit) - p);
    out.append(p + start, amp - start);
    size_t semi = amp + 1;
    while (semi < n && semi - amp <= 10 && p[semi] != ';') ++semi;
    if (semi >= n || p[semi] != ';') return false;
    const std::string_view ent(p + amp + 1, semi - amp - 1);
    if (is(ent, "amp")) {
      out.push_back('&');
    } else if (is(ent, "lt")) {
      out.push_back('<');
    } else if (is(ent, "gt")) {
      out.push_back('>');
    } else if (is(ent, "quot")) {
      out.push_back('"');
    } else if (is(ent, "apos")) {
      out.push_back('\'');
    } else if (ent.size() >= 2 && ent[0] == '#') {
      const bool hex = ent[1] == 'x';
      size_t i = hex ? 2 : 1;
      if (i >= ent.size()) return false;
      uint32_t cp = 0;
      for (; i < ent.size(); ++i) {
        const char c = ent[i];
        uint32_t d;
        if (c >= '0' && c <= '9') {
          d = static_cast<uint32_t>(c - '0');
        } else if (hex && c >= 'a' && c <= 'f') {
          d = static_cast<uint32_t>(c - 'a' + 10);
        } else if (hex && c >= 'A' && c <= 'F') {
          d = static_cast<uint32_t>(c - 'A' + 10);
        } else {
          return false;
        }
        cp = cp * (hex ? 16 : 10) + d;
        if (cp > 0x10FFFF) return false;
      }
      if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
      append_utf8(out, cp);
    } else {
      return false;
    }
    start = semi + 1;
  }
  out.append(p + start, n - start);
  return true;
}

}  // namespace s3p::xml
