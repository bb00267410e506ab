#include "worker/cache/byte_range.h"

#include <string_view>

#include "worker/http/decimal.h"

namespace s3p::cache {

namespace {

using http::parse_decimal;

// "bytes=A-B" / "bytes=A-" / "bytes=-N" as three fields; false for any other shape (a list, another unit, spaces).
struct Spec {
  bool has_first = false, has_last = false;
  uint64_t first = 0, last = 0;
};

bool parse_spec(std::string_view h, Spec& out) {
  constexpr std::string_view kUnit = "bytes=";
  if (h.substr(0, kUnit.size()) != kUnit) return false;
  h.remove_prefix(kUnit.size());
  const size_t dash = h.find('-');
  if (dash == std::string_view::npos) return false;
  const std::string_view a = h.substr(0, dash), b = h.substr(dash + 1);
  out.has_first = !a.empty();
  out.has_last = !b.empty();
  if (!out.has_first && !out.has_last) return false;
  if (out.has_first && !parse_decimal(a, out.first)) return false;
  if (out.has_last && !parse_decimal(b, out.last)) return false;
  return true;
}

}  // namespace

RangeResolution resolve_range(const std::string* header, uint64_t size) {
  RangeResolution r;
  if (!header) return r;
  Spec s;
  r.ask = RangeAsk::AskOrigin;
  if (!parse_spec(*header, s) || size == 0) return r;
  if (!s.has_first) {  // suffix: the last N bytes (all of them when N ≥ size)
    if (s.last == 0) return r;
    r.range = {s.last >= size ? 0 : size - s.last, size - 1};
  } else {
    if (s.first >= size || (s.has_last && s.last < s.first)) return r;
    r.range = {s.first, s.has_last && s.last < size ? s.last : size - 1};
  }
  r.ask = RangeAsk::Part;
  return r;
}

bool range_start(const std::string& header, uint64_t& first) {
  Spec s;
  if (!parse_spec(header, s) || !s.has_first || (s.has_last && s.last < s.first)) return false;
  first = s.first;
  return true;
}

}  // namespace s3p::cache
