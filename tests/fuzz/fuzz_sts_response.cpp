// Fuzzes the STS answer parser and the decision taken on it (sts_outcome). The first byte picks the HTTP status.
// Credentials that parse must be usable as header values (they go into Authorization and x-amz-security-token):
// no whitespace or control bytes; an answer only succeeds with status 200 and an Expiration; a failure always
// names an S3 error the client can get (403, 502 or 503).
#include <cstdint>
#include <string>

#include "worker/creds/sts_request.h"
#include "worker/creds/sts_response.h"

namespace {
bool header_safe(const std::string& s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (c <= 0x20 || c >= 0x7f) return false;
  return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static constexpr uint32_t kStatus[] = {200, 200, 200, 400, 403, 429, 500, 503};
  s3p::FetchResult r;
  r.status = kStatus[data[0] & 7];
  r.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  s3p::StsResponse parsed = s3p::parse_sts_response(r.body);
  if (parsed.kind == s3p::StsResponse::Kind::Credentials) {
    if (!header_safe(parsed.creds.access_key_id) || !header_safe(parsed.creds.secret_access_key) ||
        !header_safe(parsed.creds.session_token))
      __builtin_trap();
  }
  if (parsed.kind == s3p::StsResponse::Kind::Error && parsed.code.empty()) __builtin_trap();
  s3p::StsResponse response;
  s3p::FlightFailure failure;
  if (s3p::sts_outcome(r, response, failure)) {
    if (r.status != 200 || response.kind != s3p::StsResponse::Kind::Credentials || !response.has_expiration)
      __builtin_trap();
  } else {
    const uint32_t st = failure.error ? failure.error->status : 0;
    if (st != 403 && st != 502 && st != 503) __builtin_trap();
  }
  return 0;
}
