// The one structured JSON log line per request. Hand-written because it is on every request's path.
#pragma once
#include <string>
#include <string_view>

namespace s3p {

class LogLine {
 public:
  LogLine() { out_ = "{"; }
  LogLine& str(std::string_view key, std::string_view value);
  LogLine& num(std::string_view key, double value);
  std::string finish() {
    out_ += '}';
    return std::move(out_);
  }

 private:
  void key(std::string_view k);
  std::string out_;
};

// A non-negative number with a fixed number of decimals (0–3), without printf: it is on every request's path and
// printf's machinery is slow in wasm. Negative or huge values are clamped to the range [0, 1e15).
void append_fixed(std::string& out, double value, int decimals);

}  // namespace s3p
