// The proxy as an OIDC provider: GET {issuer path}/.well-known/openid-configuration and .../jwks.json. Both
// documents are built once at config load (config/federation.cpp), so serving them is a plain response.
#pragma once
#include <string>
#include <string_view>

#include "worker/config/federation.h"
#include "worker/http/headers.h"
#include "worker/s3/errors.h"

namespace s3p {

struct OidcAnswer {
  std::string_view op;              // for the log line
  const S3Error* error = nullptr;   // set: answer with this error instead
  Headers headers;
  std::string body;                 // empty for HEAD
};

// True when federation is configured and `path` names one of the documents; `out` then holds the answer.
bool oidc_route(const FederationSettings& settings, std::string_view method, std::string_view path, OidcAnswer& out);

}  // namespace s3p
