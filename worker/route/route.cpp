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
  slash = rest.find('/');
  if (!http::percent_decode(rest.substr(0, slash), out.repo)) return RouteError::BadEncoding;
  out.kind = Route::Kind::Object;
  if (slash != std::string_view::npos && !http::percent_decode(rest.substr(slash + 1), out.key))
    return RouteError::BadEncoding;
  if (out.key.size() > 1024) return RouteError::KeyTooLong;
  // The repository name plus key is the S3 key the client sees; check both for dot segments.
  if (has_dot_segment(out.repo) || has_dot_segment(out.key)) return RouteError::DotSegment;
  return RouteError::None;
}

}  // namespace s3p
