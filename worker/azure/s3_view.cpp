#include "worker/azure/s3_view.h"

namespace s3p::azure {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool is_identifier(std::string_view n) {
  if (n.empty()) return false;
  const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!letter(n.front())) return false;
  for (char c : n)
    if (!letter(c) && !(c >= '0' && c <= '9')) return false;
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string etag_to_s3(std::string_view azure_etag) {
  if (azure_etag.empty()) return {};
  std::string_view v = azure_etag;
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  std::string out;
  out.reserve(v.size() + kEtagSuffix.size() + 2);
  out.append(1, '"').append(v).append(kEtagSuffix).append(1, '"');
  return out;
}

std::string etag_to_azure(std::string_view s3_etag) {
  std::string_view t = trim(s3_etag);
  std::string out;
  if (t.size() >= 2 && (t[0] == 'W' || t[0] == 'w') && t[1] == '/') {
    out.append(t.substr(0, 2));
    t.remove_prefix(2);
  }
  if (t.size() >= 2 + kEtagSuffix.size() && t.front() == '"' && t.back() == '"' &&
      ends_with(t.substr(0, t.size() - 1), kEtagSuffix)) {
    out.append(t.substr(0, t.size() - 1 - kEtagSuffix.size())).append(1, '"');
    return out;
  }
  out.append(t);
  return out;
}

std::string etag_condition_to_azure(std::string_view value) {
  // Entity tags cannot hold a comma outside quotes; inside quotes one could: split outside quotes only.
  std::string out;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i <= value.size(); ++i) {
    if (i < value.size() && value[i] == '"') quoted = !quoted;
    if (i == value.size() || (value[i] == ',' && !quoted)) {
      const std::string_view one = trim(value.substr(start, i - start));
      if (!out.empty()) out.append(", ");
      out.append(etag_to_azure(one));
      start = i + 1;
    }
  }
  return out;
}

std::string meta_name_to_azure(std::string_view s3_name) {
  if (is_identifier(s3_name) && s3_name.substr(0, kMetaMarker.size()) != kMetaMarker) return std::string(s3_name);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(kMetaMarker);
  out.reserve(kMetaMarker.size() + s3_name.size() * 3);
  for (char c : s3_name) {
    if (is_lower_alnum(c)) {
      out.push_back(c);
    } else {
      const auto u = static_cast<unsigned char>(c);
      out.push_back('_');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

std::string meta_name_to_s3(std::string_view azure_name) {
  if (azure_name.substr(0, kMetaMarker.size()) != kMetaMarker) return std::string(azure_name);
  std::string out;
  out.reserve(azure_name.size());
  for (size_t i = kMetaMarker.size(); i < azure_name.size(); ++i) {
    const char c = azure_name[i];
    if (is_lower_alnum(c)) {
      out.push_back(c);
      continue;
    }
    if (c != '_' || i + 2 >= azure_name.size()) return std::string(azure_name);  // not this encoding
    const int hi = hex_value(azure_name[i + 1]), lo = hex_value(azure_name[i + 2]);
    if (hi < 0 || lo < 0) return std::string(azure_name);
    const char d = static_cast<char>(hi * 16 + lo);
    if (is_lower_alnum(d)) return std::string(azure_name);  // never written so: not this encoding
    out.push_back(d);
    i += 2;
  }
  return out;
}

}  // namespace s3p::azure
