#include "worker/route/route.h"

#include "worker/http/uri.h"

namespace s3p {

namespace {

// A decoded account or key S3 could hold: valid UTF-8 (S3 refuses anything else) and no NUL, which no XML
// document (a listing, an error's Resource) can carry.
bool storable(std::string_view s) { return s.find('\0') == std::string_view::npos && http::valid_utf8(s); }

}  // namespace

bool has_dot_segment(std::string_view key) {
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    std::string_view seg = key.substr(start, end - start);
    if (seg == "." || seg == "..") return true;
    start = end + 1;
  }
  return false;
}

RouteError parse_route(std::string_view raw_path, Route& out) {
  out = Route{};
  if (raw_path.empty() || raw_path.front() != '/') return RouteError::BadEncoding;
  std::string_view rest = raw_path.substr(1);
  if (rest.empty()) return RouteError::None;  // GET /

  size_t slash = rest.find('/');
  if (!http::percent_decode(rest.substr(0, slash), out.account) || !storable(out.account)) return RouteError::BadEncoding;
  out.kind = Route::Kind::Account;
  if (slash == std::string_view::npos || slash + 1 == rest.size()) return RouteError::None;  // /acct or /acct/

  rest = rest.substr(slash + 1);
  if (!http::percent_decode(rest, out.tail) || !storable(out.tail)) return RouteError::BadEncoding;
  if (out.tail.size() > 1024) return RouteError::KeyTooLong;
  if (has_dot_segment(out.tail)) return RouteError::DotSegment;
  slash = rest.find('/');
  if (!http::percent_decode(rest.substr(0, slash), out.repo)) return RouteError::BadEncoding;
  out.kind = Route::Kind::Object;
  if (slash != std::string_view::npos && !http::percent_decode(rest.substr(slash + 1), out.key))
    return RouteError::BadEncoding;
  return RouteError::None;  // repo and key are parts of tail, already checked
}

std::string path_style(std::string_view host_header, std::string_view domain, std::string_view raw_path) {
  if (domain.empty()) return std::string(raw_path);
  // Host names compare without case, and "name." is the same host as "name" (a fully qualified form).
  std::string host(host_header.substr(0, host_header.find(':')));
  for (char& c : host)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  if (!host.empty() && host.back() == '.') host.pop_back();
  std::string dom(domain);
  for (char& c : dom)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  if (host.size() <= dom.size() + 1 || host.compare(host.size() - dom.size(), dom.size(), dom) != 0 ||
      host[host.size() - dom.size() - 1] != '.')
    return std::string(raw_path);
  // The label is the account's name, never path structure: a '/' or '%' in it (which no host name holds) is
  // encoded, so it stays inside the one account segment.
  std::string out = "/";
  http::uri_encode_append(out, std::string_view(host).substr(0, host.size() - dom.size() - 1), true);
  out += raw_path;
  return out;
}

}  // namespace s3p
