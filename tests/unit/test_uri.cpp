// Percent-encoding and query parsing (worker/http/uri.h).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "worker/http/uri.h"

using s3p::http::form_decode;
using s3p::http::parse_query;
using s3p::http::percent_decode;
using s3p::http::QueryParam;
using s3p::http::uri_encode;
using s3p::http::uri_encode_append;

TEST_CASE("uri_encode keeps exactly the unreserved set", "[uri]") {
  const std::string unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  CHECK(uri_encode(unreserved, true) == unreserved);
  CHECK(uri_encode(unreserved, false) == unreserved);
  // Every other byte is %XX with uppercase hex.
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    const bool keep = unreserved.find(ch) != std::string::npos;
    const std::string enc = uri_encode(std::string(1, ch), true);
    if (keep) {
      CHECK(enc == std::string(1, ch));
    } else {
      static const char hex[] = "0123456789ABCDEF";
      CHECK(enc == std::string{'%', hex[c >> 4], hex[c & 15]});
    }
  }
}

TEST_CASE("uri_encode table", "[uri]") {
  struct Row {
    const char* in;
    bool encode_slash;
    const char* out;
  };
  const Row rows[] = {
      {"", true, ""},
      {"/", false, "/"},
      {"/", true, "%2F"},
      {"a/b/c.txt", false, "a/b/c.txt"},
      {"a/b/c.txt", true, "a%2Fb%2Fc.txt"},
      {"/example space/", false, "/example%20space/"},
      {"a+b", true, "a%2Bb"},
      {"a b", true, "a%20b"},
      {"100%", true, "100%25"},
      {"k=v&x", true, "k%3Dv%26x"},
      {"test$file.text", false, "test%24file.text"},
      {"*", true, "%2A"},
      {"\xE1\x88\xB4", true, "%E1%88%B4"},           // U+1234, bytewise UTF-8
      {"caf\xC3\xA9/\xF0\x9F\x98\x80", false, "caf%C3%A9/%F0%9F%98%80"},  // é and U+1F600
  };
  for (const Row& r : rows) {
    INFO(r.in);
    CHECK(uri_encode(r.in, r.encode_slash) == r.out);
  }
  CHECK(uri_encode(std::string("a\0b", 3), true) == "a%00b");
  CHECK(uri_encode("\x7f\x80\xff", true) == "%7F%80%FF");
}

TEST_CASE("uri_encode_append appends", "[uri]") {
  std::string s = "x=";
  uri_encode_append(s, "a b/c", true);
  CHECK(s == "x=a%20b%2Fc");
  uri_encode_append(s, "", true);
  CHECK(s == "x=a%20b%2Fc");
}

TEST_CASE("percent_decode is strict and leaves '+' alone", "[uri]") {
  struct Row {
    const char* in;
    bool ok;
    const char* out;
  };
  const Row rows[] = {
      {"", true, ""},
      {"plain", true, "plain"},
      {"a%20b", true, "a b"},
      {"a+b", true, "a+b"},
      {"a%2Bb", true, "a+b"},
      {"%2F", true, "/"},
      {"%2f", true, "/"},  // lowercase hex accepted on input
      {"%E1%88%B4", true, "\xE1\x88\xB4"},
      {"%e1%88%b4", true, "\xE1\x88\xB4"},
      {"100%25", true, "100%"},
      {"%25%32%35", true, "%25"},  // decodes once only
      {"%", false, ""},
      {"%4", false, ""},
      {"a%4", false, ""},
      {"%zz", false, ""},
      {"%4g", false, ""},
      {"%g4", false, ""},
      {"abc%", false, ""},
      {"%%41", false, ""},
      {"% 41", false, ""},
  };
  for (const Row& r : rows) {
    INFO(r.in);
    std::string out = "garbage";
    CHECK(percent_decode(r.in, out) == r.ok);
    if (r.ok) CHECK(out == r.out);
  }
  std::string out;
  REQUIRE(percent_decode("%00", out));
  CHECK(out == std::string("\0", 1));
}

TEST_CASE("form_decode turns '+' into space, %2B into '+'", "[uri]") {
  std::string out;
  REQUIRE(form_decode("a+b%2Bc", out));
  CHECK(out == "a b+c");
  REQUIRE(form_decode("++", out));
  CHECK(out == "  ");
  CHECK_FALSE(form_decode("a+%", out));
  CHECK_FALSE(form_decode("%zz", out));
}

TEST_CASE("round trip: decode(encode(x)) == x for every byte", "[uri]") {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  std::string out;
  REQUIRE(percent_decode(uri_encode(all, true), out));
  CHECK(out == all);
  REQUIRE(percent_decode(uri_encode(all, false), out));
  CHECK(out == all);
  REQUIRE(form_decode(uri_encode(all, true), out));
  CHECK(out == all);  // uri_encode never emits a raw '+'
}

TEST_CASE("parse_query splits, decodes and records has_value", "[uri]") {
  std::vector<QueryParam> q;
  REQUIRE(parse_query("list-type=2&prefix=a%2Fb&delimiter=%2F&acl&empty=", q));
  REQUIRE(q.size() == 5);
  CHECK(q[0].name == "list-type");
  CHECK(q[0].value == "2");
  CHECK(q[0].has_value);
  CHECK(q[1].name == "prefix");
  CHECK(q[1].value == "a/b");
  CHECK(q[2].value == "/");
  CHECK(q[3].name == "acl");
  CHECK(q[3].value.empty());
  CHECK_FALSE(q[3].has_value);
  CHECK(q[4].name == "empty");
  CHECK(q[4].value.empty());
  CHECK(q[4].has_value);
}

TEST_CASE("parse_query edge cases", "[uri]") {
  std::vector<QueryParam> q;
  REQUIRE(parse_query("", q));
  CHECK(q.empty());

  REQUIRE(parse_query("&&a=1&&b=2&", q));  // empty parts skipped
  REQUIRE(q.size() == 2);
  CHECK(q[0].name == "a");
  CHECK(q[1].name == "b");

  REQUIRE(parse_query("a=b=c", q));  // only the first '=' splits
  REQUIRE(q.size() == 1);
  CHECK(q[0].name == "a");
  CHECK(q[0].value == "b=c");

  REQUIRE(parse_query("=v", q));
  REQUIRE(q.size() == 1);
  CHECK(q[0].name.empty());
  CHECK(q[0].value == "v");

  REQUIRE(parse_query("k=1&k=2", q));  // repeated names are kept, in order
  REQUIRE(q.size() == 2);
  CHECK(q[0].value == "1");
  CHECK(q[1].value == "2");

  REQUIRE(parse_query("\xE1\x88\xB4=bar", q));  // raw UTF-8 passes through
  REQUIRE(q.size() == 1);
  CHECK(q[0].name == "\xE1\x88\xB4");

  q.push_back({"stale", "x", true});
  REQUIRE(parse_query("z", q));  // out is replaced, not appended to
  REQUIRE(q.size() == 1);
  CHECK(q[0].name == "z");
}

TEST_CASE("parse_query '+' handling", "[uri]") {
  std::vector<QueryParam> q;
  REQUIRE(parse_query("prefix=a+b%2Bc&x+y=1", q));  // default: form semantics, as S3 applies to raw '+'
  REQUIRE(q.size() == 2);
  CHECK(q[0].value == "a b+c");
  CHECK(q[1].name == "x y");

  REQUIRE(parse_query("prefix=a+b%2Bc", q, /*plus_is_space=*/false));
  REQUIRE(q.size() == 1);
  CHECK(q[0].value == "a+b+c");
}

TEST_CASE("parse_query rejects malformed escapes", "[uri]") {
  std::vector<QueryParam> q;
  CHECK_FALSE(parse_query("a=%", q));
  CHECK_FALSE(parse_query("a=%4", q));
  CHECK_FALSE(parse_query("a=%zz", q));
  CHECK_FALSE(parse_query("%zz=1", q));
  CHECK_FALSE(parse_query("ok=1&bad%=2", q));
  CHECK_FALSE(parse_query("ok=1&bad=%G0", q));
}
