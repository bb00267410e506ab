#include "worker/route/copy_source.h"

#include "worker/http/uri.h"

namespace s3p {

CopySourceError parse_copy_source(std::string_view header, CopySource& out) {
  out = CopySource{};
  // A literal '?' cannot be part of the encoded key (clients send %3F), so the first one starts the query.
  const size_t q = header.find('?');
  std::string_view source = header.substr(0, q);
  if (!source.empty() && source.front() == '/') source.remove_prefix(1);
  // "{bucket}/{key}" with both parts present: a bare bucket, "/key" or "bucket/" names no object.
  const size_t slash = source.find('/');
  if (source.empty() || slash == 0 || slash == std::string_view::npos || slash + 1 == source.size())
    return CopySourceError::Malformed;

  std::string path = "/";
  path += source;
  switch (parse_route(path, out.route)) {
    case RouteError::None: break;
    case RouteError::BadEncoding: return CopySourceError::BadEncoding;
    case RouteError::DotSegment: return CopySourceError::DotSegment;
    case RouteError::KeyTooLong: return CopySourceError::KeyTooLong;
  }
  if (out.route.kind != Route::Kind::Object || out.route.account.empty()) return CopySourceError::Malformed;

  if (q == std::string_view::npos) return CopySourceError::None;
  std::vector<http::QueryParam> params;
  if (!http::parse_query(header.substr(q + 1), params, false)) return CopySourceError::BadVersionId;
  if (params.size() != 1 || params[0].name != "versionId" || params[0].value.empty() ||
      params[0].value.size() > 1024 || params[0].value.find('\0') != std::string::npos ||
      !http::valid_utf8(params[0].value))
    return CopySourceError::BadVersionId;
  out.has_version = true;
  out.version_id = std::move(params[0].value);
  return CopySourceError::None;
}

}  // namespace s3p
