// The core's JSON reader (worker/http/json.h): RFC 8259's grammar (cases in the style of JSONTestSuite's y_/n_
// files), RFC 3629's UTF-8, the number kinds, and — since it replaced nlohmann_json — a differential check: on
// generated documents, valid and broken, it accepts exactly what nlohmann accepts and reads the same values.
#include <catch2/catch.hpp>

#include <cstdint>
#include <functional>
#include <iterator>
#include <limits>
#include <random>
#include <string>

#include "json_differential.h"
#include "worker/http/json.h"

namespace {

using s3p::json::Type;
using s3p::json::Value;
using s3p::json::parse;

bool accepts(std::string_view text) { return !parse(text).is_discarded(); }

bool same_as_nlohmann(const std::string& text) { return s3p::test::same_as_nlohmann(text); }

}  // namespace

TEST_CASE("json: documents RFC 8259 accepts") {
  for (const char* text : {
           "[]", "{}", "[1]", "[-0]", "[-0.0]", "[1E22]", "[1e-2]", "[0e1]", "[0.5e+1]", "[\"\\u0000\"]",
           "[\"\\uD834\\uDD1E\"]", "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]", "{\"\":0}", "[[[[[]]]]]", "\"asd\"", "null",
           "true", "false", "42", " \t\r\n[1] \n", "[123456789012345678901234567890]", "[-9223372036854775808]",
           "[18446744073709551615]", "\xEF\xBB\xBF[]", "[\"\xF0\x9F\x98\x80\"]", "[\"\\u00e9\"]", "[\"\x7F\"]",
           "{\"a\":[1,{\"b\":null}],\"c\":\"d\"}", "[\"\xE2\x82\xAC\"]", "[\"\xF4\x8F\xBF\xBF\"]", "[1,2 , 3]",
       }) {
    INFO(text);
    CHECK(accepts(text));
    CHECK(same_as_nlohmann(text));
  }
}

TEST_CASE("json: documents RFC 8259 (or RFC 3629) refuses") {
  for (const char* text : {
           "", " ", "[1,]", "[,1]", "{\"a\":1,}", "{,}", "[01]", "[-]", "[1.]", "[.1]", "[1e]", "[1e+]", "[\"\\x\"]",
           "[\"\\uD800\"]", "[\"\\uDC00\"]", "[\"\\uD800\\u0041\"]", "[\"\\u00\"]", "[tru]", "[True]", "{\"a\" 1}",
           "{'a':1}", "[NaN]", "[Infinity]", "[+1]", "[0x1]", "[\"a\tb\"]", "[\"a\nb\"]", "[1 2]", "[\"a\"",
           "[1]x", "{\"a\":1}}", "[\xC2\xA0]", "[\"\xC0\x80\"]", "[\"\xED\xA0\x80\"]", "[\"\xF4\x90\x80\x80\"]",
           "[\"\x80\"]", "[\"\xE2\x82\"]", "[\"\xF8\x88\x80\x80\x80\"]", "[\"\xFF\"]",
           "[\"\xF5\x80\x80\x80\"]", "[\"\xE0\x80\x80\"]", "[\"\xC1\xBF\"]", "[\"\xF0\x80\x80\x80\"]", "[1e400]", "[-1e400]",
           "{\"a\":}", "{1:2}", "[\"\\u12G4\"]", "\xEF\xBB[]", "[-01]", "[--1]", "[1.e1]", "nul", "[\"\\",
       }) {
    INFO(text);
    CHECK_FALSE(accepts(text));
    CHECK(same_as_nlohmann(text));
  }
  // A NUL byte outside a string: nlohmann stopped reading there (and ignored the rest); ours refuses the document.
  CHECK_FALSE(accepts(std::string("[1]\0[2]", 7)));
  CHECK_FALSE(accepts(std::string("{\"a\":1}\0", 8)));
}

TEST_CASE("json: number kinds and conversions") {
  CHECK(parse("0").type() == Type::Unsigned);
  CHECK(parse("18446744073709551615").get<uint64_t>() == std::numeric_limits<uint64_t>::max());
  CHECK(parse("18446744073709551616").type() == Type::Float);
  CHECK(parse("-1").type() == Type::Integer);
  CHECK(parse("-0").type() == Type::Integer);
  CHECK(parse("-9223372036854775808").get<int64_t>() == std::numeric_limits<int64_t>::min());
  CHECK(parse("-9223372036854775809").type() == Type::Float);
  CHECK(parse("1.0").type() == Type::Float);
  CHECK(parse("1e2").get<double>() == 100);
  CHECK(parse("7").is_number_integer());
  CHECK(parse("-7").is_number_integer());
  CHECK_FALSE(parse("-7").is_number_unsigned());
  CHECK_FALSE(parse("7.5").is_number_integer());
  CHECK(parse("7.5").is_number());
  // A double out of an integer type's range saturates (a plain cast would be undefined behaviour).
  CHECK(parse("1e300").get<int64_t>() == std::numeric_limits<int64_t>::max());
  CHECK(parse("-1e300").get<int64_t>() == std::numeric_limits<int64_t>::min());
  CHECK(parse("-5.5").get<uint64_t>() == 0);
  CHECK(parse("1e300").get<uint64_t>() == std::numeric_limits<uint64_t>::max());
  CHECK(parse("4294967296").get<uint32_t>() == 0);  // as static_cast: the caller checks the range first
  // Another type gives the zero of T.
  CHECK(parse("\"5\"").get<uint64_t>() == 0);
  CHECK(parse("5").get<std::string>().empty());
  CHECK_FALSE(parse("1").get<bool>());
}

TEST_CASE("json: strings are read as UTF-8") {
  CHECK(parse("\"\\u00e9\\u20AC\\uD83D\\uDE00\"").get<std::string>() == "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  CHECK(parse("\"a\\u0000b\"").get<std::string>() == std::string("a\0b", 3));
  CHECK(parse("\"\xC3\xA9\"").string_ref() == "\xC3\xA9");
  CHECK(parse("5").string_ref().empty());
}

TEST_CASE("json: objects: lookup, order, a name given twice") {
  const Value v = parse(R"({"b": 1, "a": {"x": [true, null]}, "b": 2, "": "e"})");
  REQUIRE(v.is_object());
  CHECK(v.size() == 3);  // the second "b" replaced the first
  CHECK(v["b"].get<uint64_t>() == 2);
  CHECK(v.contains(""));
  CHECK_FALSE(v.contains("c"));
  CHECK(v.find("c") == v.end());
  CHECK(v["c"].is_null());  // absent: a null value, never a crash
  CHECK(v["a"]["x"][0].get<bool>());
  CHECK(v["a"]["x"][1].is_null());
  CHECK(v["a"]["x"][2].is_null());  // past the end
  std::string names;
  for (auto it = v.begin(); it != v.end(); ++it) names += "<" + it.key() + ">";
  CHECK(names == "<><a><b>");  // by name, as nlohmann's std::map kept them
  CHECK(same_as_nlohmann(R"({"b": 1, "a": 2, "b": 3, "b": 4})"));
  // Scalars have no elements, and a lookup in anything but an object finds nothing.
  const Value s = parse("\"text\"");
  CHECK(s.begin() == s.end());
  CHECK(s.find("x") == s.end());
  const Value a = parse("[1]");
  CHECK(a.find("x") == a.end());
  size_t n = 0;
  for (const Value& e : parse("[1, 2, 3]")) n += e.get<uint64_t>();
  CHECK(n == 6);
}

TEST_CASE("json: nesting deeper than kMaxDepth is refused, not recursed into") {
  const auto nested = [](size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  CHECK(accepts(nested(Value::kMaxDepth)));
  CHECK_FALSE(accepts(nested(Value::kMaxDepth + 1)));
  CHECK_FALSE(accepts(nested(100000)));  // would overflow a recursive reader's stack
  std::string objects;
  for (size_t i = 0; i <= Value::kMaxDepth; ++i) objects += "{\"a\":";
  objects += "1" + std::string(Value::kMaxDepth + 1, '}');
  CHECK_FALSE(accepts(objects));
}

// Generated documents: valid ones from a small grammar, then mutated (a byte dropped, duplicated, replaced or
// inserted), so that both sides of every rule are hit. Each must be read exactly as nlohmann reads it.
TEST_CASE("json: differential against nlohmann on generated documents") {
  std::mt19937 rng(20261207);
  const auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  static const char* const kStrings[] = {
      "\"\"", "\"a\"", "\"name\"", "\"\\u00e9\"", "\"\\uD834\\uDD1E\"", "\"\\n\\t\\\\\\\"\"", "\"\xC3\xA9\"",
      "\"\xF0\x9F\x98\x80\"", "\"\\u0000\"", "\"\\/\"",
  };
  static const char* const kNumbers[] = {
      "0", "-0", "1", "-1", "42", "1.5", "-2.25e3", "1E-7", "0.0", "18446744073709551615", "18446744073709551616",
      "-9223372036854775808", "-9223372036854775809", "123456789.987654321", "5e-324",
  };
  std::function<std::string(int)> gen = [&](int depth) -> std::string {
    switch (depth > 3 ? pick(4) : pick(6)) {
      case 0: return kStrings[pick(std::size(kStrings))];
      case 1: return kNumbers[pick(std::size(kNumbers))];
      case 2: return pick(3) == 0 ? "null" : pick(2) ? "true" : "false";
      case 3: return kStrings[pick(std::size(kStrings))];
      case 4: {
        std::string s = "[";
        for (size_t i = 0, n = pick(4); i < n; ++i) s += (i ? ", " : "") + gen(depth + 1);
        return s + "]";
      }
      default: {
        std::string s = "{";
        for (size_t i = 0, n = pick(4); i < n; ++i)
          s += std::string(i ? "," : "") + kStrings[pick(3)] + ":" + gen(depth + 1);
        return s + "}";
      }
    }
  };
  static const char kNoise[] = "{}[],:\"\\ -.eE0123456789tfnulx\t\n\x80\x8F\x90\x9F\xA0\xBF\xC1\xC3\xE0\xED\xF0\xF4\xF5\xFF";
  size_t accepted = 0, refused = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text = gen(0);
    for (size_t m = 0, n = pick(3); m < n && !text.empty(); ++m) {
      const size_t at = pick(text.size());
      switch (pick(4)) {
        case 0: text.erase(at, 1); break;
        case 1: text.insert(at, 1, text[at]); break;
        case 2: text[at] = kNoise[pick(sizeof(kNoise) - 1)]; break;
        default: text.insert(at, 1, kNoise[pick(sizeof(kNoise) - 1)]); break;
      }
    }
    INFO(text);
    REQUIRE(same_as_nlohmann(text));
    (accepts(text) ? accepted : refused)++;
  }
  // Both sides of the grammar were exercised.
  CHECK(accepted > 5000);
  CHECK(refused > 2000);
}
