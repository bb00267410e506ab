// Builds the subrequest to a backend object store: path-style URL, forwarded conditional/range headers, and a
// SigV4 signature when the backend needs keys. What is sent is exactly what is signed.
#pragma once
#include <string_view>
#include <vector>

#include "worker/config/config.h"
#include "worker/http/uri.h"
#include "worker/proto/action.h"
#include "worker/sign/sigv4.h"

namespace s3p {

struct BackendTarget {
  // Object: a request on one key, which must not be empty (a path-style URL with an empty key is the bucket
  // itself: a GET of it would list the whole backend bucket). Bucket: a bucket-level request (ListObjects), key "".
  enum class Scope { Object, Bucket };
  const Backend* backend = nullptr;
  std::string_view key;                       // full backend key (repository prefix + client key)
  std::vector<http::QueryParam> query;        // forwarded query parameters (decoded)
  Scope scope = Scope::Object;
  // What the request sends and how it is signed: no body (the empty hash), or the client's body by handle with
  // the payload hash the client declared (so the backend itself rejects a body that does not match it).
  Body body = {};
  std::string_view payload_hash = sigv4::kEmptyPayloadHash;
};

// `creds` null = unsigned (anonymous backend). An Object target with an empty key is refused: the result has an
// empty url, which the request answers as an internal error instead of sending (callers answer such keys before
// they get here; this is the backstop).
FetchAction backend_fetch(const BackendTarget& target, std::string_view method, const Headers& forwarded,
                          const sigv4::Credentials* creds, int64_t now_s, sigv4::SigningKeyCache& keys);

// The client headers a GetObject/HeadObject forwards: range, conditionals, checksum mode and SSE-C keys.
// Unsigned-by-edge headers such as accept-encoding are deliberately not forwarded.
Headers forwarded_read_headers(const Headers& client);

}  // namespace s3p
