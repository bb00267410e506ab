#include "worker/cache/preconditions.h"

#include <cstdint>

#include "worker/rules/http_date.h"

namespace s3p::cache {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// An entity tag without its weakness mark and quotes: S3 matches quoted and bare forms alike.
std::string_view opaque(std::string_view tag) {
  tag = trim(tag);
  if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
  if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"') tag = tag.substr(1, tag.size() - 2);
  return tag;
}

// Whether a comma-separated If-Match / If-None-Match list names `etag` (or is "*").
bool list_matches(std::string_view list, std::string_view etag) {
  if (trim(list) == "*") return true;
  const std::string_view want = opaque(etag);
  while (!list.empty()) {
    const size_t comma = list.find(',');
    if (opaque(list.substr(0, comma)) == want) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// True when both dates parse and the object was modified after `since`.
bool modified_after(std::string_view last_modified, const std::string& since, bool& known) {
  int64_t lm = 0, at = 0;
  known = parse_http_date(last_modified, lm) && parse_http_date(since, at);
  return known && lm > at;
}

}  // namespace

Precondition evaluate_preconditions(const Headers& request, std::string_view etag, std::string_view last_modified) {
  const std::string* if_match = find_header(request, "if-match");
  const std::string* if_none_match = find_header(request, "if-none-match");
  bool known = false;
  if (if_match) {
    if (!list_matches(*if_match, etag)) return Precondition::Failed;
  } else if (const std::string* ius = find_header(request, "if-unmodified-since")) {
    if (modified_after(last_modified, *ius, known)) return Precondition::Failed;
  }
  if (if_none_match) {
    if (list_matches(*if_none_match, etag)) return Precondition::NotModified;
  } else if (const std::string* ims = find_header(request, "if-modified-since")) {
    if (!modified_after(last_modified, *ims, known) && known) return Precondition::NotModified;
  }
  return Precondition::Proceed;
}

}  // namespace s3p::cache
