// The S3 request a write builds (the writes still speak S3: worker/dialect/dialect.h), and the client headers a
// read forwards. The reads ask their backend's dialect (dialect::of) instead.
#pragma once
#include <string_view>
#include <vector>

#include "worker/config/config.h"
#include "worker/dialect/s3_dialect.h"
#include "worker/http/uri.h"
#include "worker/proto/action.h"
#include "worker/sign/sigv4.h"

namespace s3p {

// `creds` null = unsigned (anonymous backend). An Object target with an empty key is refused: the result has an
// empty url, which the request answers as an internal error instead of sending (callers answer such keys before
// they get here; this is the backstop). So is a backend of a dialect without writes.
inline FetchAction backend_fetch(const BackendTarget& target, std::string_view method, const Headers& forwarded,
                                 const BackendCredentials* creds, int64_t now_s, sigv4::SigningKeyCache& keys) {
  return dialect::s3_request(target, method, forwarded, creds, dialect::Signing{now_s, keys});
}

// The client headers a GetObject/HeadObject forwards: range, conditionals, checksum mode and SSE-C keys.
// Unsigned-by-edge headers such as accept-encoding are deliberately not forwarded.
Headers forwarded_read_headers(const Headers& client);

}  // namespace s3p
