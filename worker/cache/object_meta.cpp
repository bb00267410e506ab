#include "worker/cache/object_meta.h"

#include <cstdlib>

#include "worker/http/decimal.h"

namespace s3p::cache {

namespace {

constexpr std::string_view kMagic = "s3p-object-meta 1\n";

using http::parse_decimal;

// "bytes FIRST-LAST/TOTAL" → TOTAL.
bool content_range_total(std::string_view v, uint64_t& total) {
  const size_t slash = v.rfind('/');
  return v.substr(0, 6) == "bytes " && slash != std::string_view::npos && parse_decimal(v.substr(slash + 1), total);
}

// Next line of `text` (without its '\n'); false at the end or on a line that does not end.
bool next_line(std::string_view& text, std::string_view& line) {
  const size_t nl = text.find('\n');
  if (nl == std::string_view::npos) return false;
  line = text.substr(0, nl);
  text.remove_prefix(nl + 1);
  return true;
}

}  // namespace

bool learn_meta(uint32_t status, const Headers& response, bool (*keep)(std::string_view), ObjectMeta& out) {
  ObjectMeta m;
  const std::string* range = find_header(response, "content-range");
  const std::string* length = find_header(response, "content-length");
  if (status == 206) {
    if (!range || !content_range_total(*range, m.size)) return false;
  } else if (status == 200) {
    if (!length || !parse_decimal(*length, m.size)) return false;
  } else {
    return false;
  }
  for (const Header& h : response) {
    if (h.name == "etag") m.etag = h.value;
    if (h.name == "last-modified") m.last_modified = h.value;
    if (keep(h.name) && h.name != "content-length" && h.name != "content-range" && h.name != "accept-ranges" &&
        !starts_with(h.name, "x-amz-checksum-") && h.name != "x-amz-mp-parts-count")
      m.headers.push_back(h);
  }
  // Bytes we could not serve faithfully from chunks: stored encoded (ranges would cut the encoding, and fetch
  // decodes it), or readable only with the customer's key (a cache would hand them to anyone).
  const std::string* encoding = find_header(response, "content-encoding");
  const bool customer_key = find_header(response, "x-amz-server-side-encryption-customer-algorithm") != nullptr;
  m.cacheable = !m.etag.empty() && (!encoding || encoding->empty() || *encoding == "identity") && !customer_key;
  out = std::move(m);
  return true;
}

std::string serialize_meta(const ObjectMeta& m) {
  std::string s(kMagic);
  s += std::to_string(m.size) + '\n';
  s += std::to_string(static_cast<uint64_t>(m.expires_ms)) + '\n';
  s += m.cacheable ? "1\n" : "0\n";
  s += m.etag + '\n';
  s += m.last_modified + '\n';
  for (const Header& h : m.headers) s += h.name + '\t' + h.value + '\n';
  s += ".\n";  // the end: a record cut at a line boundary is not a shorter valid one
  return s;
}

bool parse_meta(std::string_view text, ObjectMeta& out) {
  if (text.substr(0, kMagic.size()) != kMagic) return false;
  text.remove_prefix(kMagic.size());
  ObjectMeta m;
  std::string_view line;
  uint64_t expires = 0;
  if (!next_line(text, line) || !parse_decimal(line, m.size)) return false;
  if (!next_line(text, line) || !parse_decimal(line, expires)) return false;
  m.expires_ms = static_cast<double>(expires);
  if (!next_line(text, line) || (line != "0" && line != "1")) return false;
  m.cacheable = line == "1";
  if (!next_line(text, line) || has_ctl_break(line)) return false;
  m.etag = std::string(line);
  if (!next_line(text, line) || has_ctl_break(line)) return false;
  m.last_modified = std::string(line);
  for (;;) {
    if (!next_line(text, line)) return false;
    if (line == ".") break;
    const size_t tab = line.find('\t');
    if (tab == std::string_view::npos || tab == 0 || has_ctl_break(line)) return false;
    m.headers.push_back({std::string(line.substr(0, tab)), std::string(line.substr(tab + 1))});
  }
  if (!text.empty() || (m.cacheable && m.etag.empty())) return false;
  out = std::move(m);
  return true;
}

}  // namespace s3p::cache
