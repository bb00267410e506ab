#include "worker/creds/oidc_routes.h"

namespace s3p {

bool oidc_route(const FederationSettings& s, std::string_view method, std::string_view path, OidcAnswer& out) {
  if (!s.enabled) return false;
  const std::string* doc = nullptr;
  if (path == s.openid_configuration_path) {
    out.op = "OpenIDConfiguration";
    doc = &s.openid_configuration_json;
  } else if (path == s.jwks_path) {
    out.op = "JWKS";
    doc = &s.jwks_json;
  } else {
    return false;
  }
  if (method != "GET" && method != "HEAD") {
    out.error = &errors::MethodNotAllowed;
    return true;
  }
  // STS fetches these rarely and caches them; a short max-age keeps key rotation prompt.
  out.headers = {{"content-type", "application/json"},
                 {"content-length", std::to_string(doc->size())},
                 {"cache-control", "public, max-age=300"}};
  if (method == "GET") out.body = *doc;
  return true;
}

}  // namespace s3p
