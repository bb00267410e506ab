// The differential check between the core's JSON reader (worker/http/json.h) and nlohmann_json, which it replaced:
// shared by tests/unit/test_json.cpp and tests/fuzz/fuzz_json.cpp.
#pragma once
#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

#include "worker/http/json.h"

namespace s3p::test {

// Whether our reading of a document is nlohmann's: the same kinds, values, member names and member order.
inline bool same(const json::Value& a, const nlohmann::json& b) {
  switch (a.type()) {
    case json::Type::Discarded: return b.is_discarded();
    case json::Type::Null: return b.is_null();
    case json::Type::Boolean: return b.is_boolean() && a.get<bool>() == b.get<bool>();
    case json::Type::Unsigned: return b.is_number_unsigned() && a.get<uint64_t>() == b.get<uint64_t>();
    case json::Type::Integer:
      return b.is_number_integer() && !b.is_number_unsigned() && a.get<int64_t>() == b.get<int64_t>();
    case json::Type::Float: return b.is_number_float() && a.get<double>() == b.get<double>();
    case json::Type::String: return b.is_string() && a.get<std::string>() == b.get<std::string>();
    case json::Type::Array: {
      if (!b.is_array() || a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i) {
        if (!same(a[i], b[i])) return false;
      }
      return true;
    }
    case json::Type::Object: {
      if (!b.is_object() || a.size() != b.size()) return false;
      auto j = b.begin();
      for (auto i = a.begin(); i != a.end(); ++i, ++j) {
        if (i.key() != j.key() || !same(i.value(), j.value())) return false;
      }
      return true;
    }
  }
  return false;
}

inline size_t depth(const nlohmann::json& j) {
  if (!j.is_array() && !j.is_object()) return 0;
  size_t d = 0;
  for (const auto& e : j) d = std::max(d, depth(e));
  return d + 1;
}

// Whether both read `text` the same way (both refuse it, or both accept it as the same value), but for where ours
// is deliberately stricter:
// - nlohmann takes a NUL byte for the end of the input and ignores what follows; ours refuses the document;
// - ours refuses nesting deeper than json::Value::kMaxDepth.
inline bool same_as_nlohmann(const std::string& text) {
  const json::Value ours = json::parse(text);
  const nlohmann::json theirs = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (const size_t nul = text.find('\0'); nul != std::string::npos)
    return ours.is_discarded() && same(json::parse(text.substr(0, nul)), theirs);
  if (ours.is_discarded() && !theirs.is_discarded() && depth(theirs) > json::Value::kMaxDepth) return true;
  return same(ours, theirs);
}

}  // namespace s3p::test
