// Reading typed config fields with errors that name the field ("backends.main.endpoint: is required").
#pragma once
#include <cstdint>
#include <string>

#include "worker/http/json.h"

namespace s3p::config_fields {


inline bool fail(std::string& error, const std::string& field, const std::string& why) {
  error = field + ": " + why;
  return false;
}

// A string member; a required one must also be non-empty. An absent optional one leaves `out` unchanged.
inline bool get_string(const json::Value& obj, const char* key, const std::string& field, bool required, std::string& out,
                       std::string& error) {
  auto it = obj.find(key);
  if (it == obj.end()) return required ? fail(error, field + "." + key, "is required") : true;
  if (!it->is_string()) return fail(error, field + "." + key, "must be a string");
  out = it->get<std::string>();
  if (required && out.empty()) return fail(error, field + "." + key, "must not be empty");
  return true;
}

// An optional unsigned integer member within [lo, hi]; absent leaves `out` unchanged.
inline bool get_uint(const json::Value& obj, const char* key, const std::string& field, uint32_t lo, uint32_t hi,
                     uint32_t& out, std::string& error) {
  auto it = obj.find(key);
  if (it == obj.end()) return true;
  if (!it->is_number_unsigned() || it->get<uint64_t>() < lo || it->get<uint64_t>() > hi)
    return fail(error, field + "." + key, "must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
  out = it->get<uint32_t>();
  return true;
}

// An optional boolean member; absent leaves `out` unchanged.
inline bool get_bool(const json::Value& obj, const char* key, const std::string& field, bool& out, std::string& error) {
  auto it = obj.find(key);
  if (it == obj.end()) return true;
  if (!it->is_boolean()) return fail(error, field + "." + key, "must be true or false");
  out = it->get<bool>();
  return true;
}

}  // namespace s3p::config_fields
