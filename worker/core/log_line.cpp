#include "worker/core/log_line.h"

#include <cmath>
#include <cstdio>

namespace s3p {

void append_json_escaped(std::string& out, std::string_view s) {
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
}

void LogLine::key(std::string_view k) {
  if (out_.size() > 1) out_ += ',';
  out_ += '"';
  out_ += k;
  out_ += "\":";
}

LogLine& LogLine::str(std::string_view k, std::string_view value) {
  key(k);
  out_ += '"';
  append_json_escaped(out_, value);
  out_ += '"';
  return *this;
}

LogLine& LogLine::num(std::string_view k, double value) {
  key(k);
  char buf[32];
  if (std::floor(value) == value && std::fabs(value) < 1e15)
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(value));
  else
    std::snprintf(buf, sizeof buf, "%.3f", value);
  out_ += buf;
  return *this;
}

}  // namespace s3p
