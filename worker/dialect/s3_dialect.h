// The S3 dialect: path-style requests signed with SigV4 (or anonymous), S3's error codes, S3's listing rewritten
// in one pass (s3/list_rewrite.h). What the operations sent before the seam, moved here unchanged, the writes'
// included.
#pragma once
#include <string_view>
#include <vector>

#include "worker/dialect/dialect.h"

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

namespace dialect {

// One S3 request: path-style URL, the given headers, a SigV4 signature when `creds` are SigV4 keys (null =
// unsigned). Refused (empty url): an Object target with an empty key, a Bucket target with one, a backend of
// another dialect, credentials of another kind.
FetchAction s3_request(const BackendTarget& target, std::string_view method, const Headers& forwarded,
                       const BackendCredentials* creds, Signing s);

const Dialect& s3();

}  // namespace dialect
}  // namespace s3p
