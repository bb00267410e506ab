// The per-request JSON log line and its number formatting (hand-written: printf is slow in wasm).
#include <catch2/catch.hpp>

#include "worker/http/log_line.h"

using namespace s3p;

TEST_CASE("fixed-point formatting", "[log]") {
  auto fixed = [](double v, int d) {
    std::string s;
    append_fixed(s, v, d);
    return s;
  };
  CHECK(fixed(0, 0) == "0");
  CHECK(fixed(0, 1) == "0.0");
  CHECK(fixed(12.34, 1) == "12.3");
  CHECK(fixed(12.35, 1) == "12.4");
  CHECK(fixed(0.05, 1) == "0.1");
  CHECK(fixed(9.96, 1) == "10.0");
  CHECK(fixed(2097152, 0) == "2097152");
  CHECK(fixed(1.5, 3) == "1.500");
  CHECK(fixed(0.0004, 3) == "0.000");
  CHECK(fixed(-3, 1) == "0.0");  // clamped
}

TEST_CASE("log lines are valid JSON objects with escaped strings", "[log]") {
  LogLine l;
  l.str("path", "/a\"b\\c\n\x01").num("status", 200).num("ms", 1.25).num("neg", -2);
  CHECK(l.finish() == R"({"path":"/a\"b\\c\u000a\u0001","status":200,"ms":1.250,"neg":-2})");
}
