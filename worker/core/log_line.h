// The one structured JSON log line per request. Hand-written (not nlohmann) because it is on every request's path.
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

// JSON string escaping (quotes, backslash, control characters).
void append_json_escaped(std::string& out, std::string_view s);

}  // namespace s3p
