#include "worker/route/route.h"

#include "worker/http/uri.h"

namespace s3p {

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
  if (!http::percent_decode(rest.substr(0, slash), out.account)) return RouteError::BadEncoding;
  out.kind = Route::Kind::Account;
  if (slash == std::string_view::npos || slash + 1 == rest.size()) return RouteError::None;  // /acct or /acct/

  rest = rest.substr(slash + 1);
  if (!http::percent_decode(rest, out.tail)) return RouteError::BadEncoding;
  if (out.tail.size() > 1024) return RouteError::KeyTooLong;
  if (has_dot_segment(out.tail)) return RouteError::DotSegment;
  slash = rest.find('/');
  if (!http::percent_decode(rest.substr(0, slash), out.repo)) return RouteError::BadEncoding;
  out.kind = Route::Kind::Object;
  if (slash != std::string_view::npos && !http::percent_decode(rest.substr(slash + 1), out.key))
    return RouteError::BadEncoding;
  return RouteError::None;  // repo and key are parts of tail, already checked
}

std::string path_style(std::string_view host, std::string_view domain, std::string_view raw_path) {
  if (domain.empty()) return std::string(raw_path);
  host = host.substr(0, host.find(':'));
  if (host.size() <= domain.size() + 1 || host.substr(host.size() - domain.size()) != domain ||
      host[host.size() - domain.size() - 1] != '.')
    return std::string(raw_path);
  std::string out = "/";
  out += host.substr(0, host.size() - domain.size() - 1);
  out += raw_path;
  return out;
}

}  // namespace s3p
