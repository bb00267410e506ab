#include "worker/http/log_line.h"

#include <cmath>

#include "worker/http/json_escape.h"

namespace s3p {

void append_fixed(std::string& out, double value, int decimals) {
  static constexpr double kScale[] = {1, 10, 100, 1000};
  decimals = decimals < 0 ? 0 : decimals > 3 ? 3 : decimals;
  double scaled = value * kScale[decimals] + 0.5;
  uint64_t n = scaled < 1 ? 0 : scaled >= 1e15 ? uint64_t(1e15) - 1 : static_cast<uint64_t>(scaled);
  char buf[24];
  const int min_len = decimals == 0 ? 1 : decimals + 2;  // at least "0" or "0.d…"
  int len = 0;
  do {
    buf[len++] = static_cast<char>('0' + n % 10);
    n /= 10;
    if (len == decimals) buf[len++] = '.';
  } while (n > 0 || len < min_len);
  while (len > 0) out += buf[--len];
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
  if (value < 0) {
    out_ += '-';
    value = -value;
  }
  append_fixed(out_, value, std::floor(value) == value ? 0 : 3);
  return *this;
}

}  // namespace s3p
