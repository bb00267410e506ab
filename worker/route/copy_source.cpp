#include "worker/route/copy_source.h"

#include "worker/http/uri.h"

namespace s3p {

bool parse_copy_source(std::string_view header, CopySource& out) {
  out = CopySource{};
  if (header.empty()) return false;
  // The key is percent-encoded, so a literal '?' can only start the version query.
  const size_t q = header.find('?');
  std::string_view path = header.substr(0, q);
  if (q != std::string_view::npos) {
    std::string_view query = header.substr(q + 1);
    constexpr std::string_view kVersion = "versionId=";
    if (query.substr(0, kVersion.size()) != kVersion) return false;
    if (!http::percent_decode(query.substr(kVersion.size()), out.version_id) || out.version_id.empty()) return false;
  }
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (path.empty()) return false;
  if (parse_route("/" + std::string(path), out.route) != RouteError::None) return false;
  return out.route.kind == Route::Kind::Object && !out.route.tail.empty();
}

}  // namespace s3p
