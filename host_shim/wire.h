// The byte encoding of everything that crosses the wasm boundary (little-endian):
//   u32  = 4 bytes;  str = u32 length + that many bytes (UTF-8 or raw);  headers = u32 count + (str, str)*
// The reader is bounds-checked: a short or overlong buffer sets ok=false instead of reading past the end.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "worker/http/headers.h"

namespace s3p::wire {

class Reader {
 public:
  Reader(const uint8_t* p, size_t n) : p_(p), end_(p + n) {}
  bool ok() const { return ok_; }
  uint32_t u32() {
    if (end_ - p_ < 4) return fail();
    uint32_t v = uint32_t(p_[0]) | uint32_t(p_[1]) << 8 | uint32_t(p_[2]) << 16 | uint32_t(p_[3]) << 24;
    p_ += 4;
    return v;
  }
  std::string str() {
    uint32_t n = u32();
    if (!ok_ || static_cast<size_t>(end_ - p_) < n) return fail(), std::string();
    std::string s(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return s;
  }
  Headers headers() {
    uint32_t n = u32();
    Headers hs;
    if (!ok_ || n > static_cast<size_t>(end_ - p_) / 8) return fail(), hs;  // each header needs ≥ 8 bytes
    hs.reserve(n);
    for (uint32_t i = 0; i < n && ok_; ++i) {
      std::string k = str();
      std::string v = str();
      hs.push_back({std::move(k), std::move(v)});
    }
    return hs;
  }

 private:
  uint32_t fail() {
    ok_ = false;
    p_ = end_;
    return 0;
  }
  const uint8_t* p_;
  const uint8_t* end_;
  bool ok_ = true;
};

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) { out_.clear(); }
  void u32(uint32_t v) {
    char b[4] = {char(v), char(v >> 8), char(v >> 16), char(v >> 24)};
    out_.append(b, 4);
  }
  void str(std::string_view s) {
    u32(static_cast<uint32_t>(s.size()));
    out_.append(s.data(), s.size());
  }
  void headers(const Headers& hs) {
    u32(static_cast<uint32_t>(hs.size()));
    for (const auto& h : hs) {
      str(h.name);
      str(h.value);
    }
  }

 private:
  std::string& out_;
};

}  // namespace s3p::wire
