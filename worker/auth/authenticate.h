// Inbound authentication: who is calling. A request is anonymous, or signed with one of the proxy's access keys
// in one of the four forms S3 accepts — SigV4 in the Authorization header, SigV4 presigned (X-Amz-* query),
// SigV2 header (`AWS id:signature`) or SigV2 presigned (AWSAccessKeyId/Signature/Expires) — and verified here,
// before any backend or STS work. Every refusal is the S3 error S3 itself would answer.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "worker/config/config.h"
#include "worker/config/namespace.h"
#include "worker/crypto/sha256.h"
#include "worker/http/headers.h"
#include "worker/http/uri.h"
#include "worker/s3/errors.h"
#include "worker/sign/sigv4.h"

namespace s3p::auth {

// What verification reads, exactly as the client sent it.
struct SignedRequest {
  std::string_view method;
  std::string_view raw_path;       // the request target's path as received (SigV4 canonical URI)
  std::string_view resource_path;  // the path-style path "/{bucket}/{key}" (SigV2's canonical resource)
  const std::vector<http::QueryParam>& params;  // the decoded query, authentication parameters included
  const Headers& headers;
  bool has_body = false;
  // The service a SigV4 signature must name: "s3", or "sts" for the proxy's STS endpoint (worker/sts/), whose
  // clients sign the hex SHA-256 of the form body they send (`body_sha256`) and no x-amz-content-sha256.
  std::string_view service = "s3";
  std::string_view body_sha256 = {};
};

// What the chunk signatures of a signed aws-chunked body (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) chain from: the
// request's verified signature, its x-amz-date and credential scope, and the signing key that verified it (derived
// for that scope only: the host checks the chunks with it, whatever kind of key signed — a Worker secret's, a
// registry key's, a session's — and never sees the secret). Empty for every other request.
struct ChunkSeed {
  std::string amz_date;
  std::string scope;      // yyyymmdd/region/s3/aws4_request
  std::string signature;  // the seed signature (hex)
  crypto::Digest signing_key{};
};

struct Verdict {
  const S3Error* error = nullptr;  // null: the caller is `key` (or anonymous when key is null)
  std::string detail;              // why, for the log only (never a secret or a computed signature)
  const AccessKey* key = nullptr;
  // anonymous | sigv4 | sigv4-query | sigv2 | sigv2-query | unknown-key; on a refusal, the form the request used.
  std::string_view scheme = "anonymous";
  std::string claimed_key_id;  // on a refusal: the access key id the signature named (unverified; for the log)
  // The payload hash the client declared (SigV4 header form), for the operation to enforce on a body.
  std::string payload_hash;
  ChunkSeed chunk_seed;

  static Verdict fail(const S3Error& e, std::string detail) {
    Verdict v;
    v.error = &e;
    v.detail = std::move(detail);
    return v;
  }
};

// Keys are looked up in `ns` (the static config's, and the registry's this request resolved).
Verdict authenticate(const SignedRequest& req, const Namespace& ns, int64_t now_s, sigv4::SigningKeyCache& keys);
inline Verdict authenticate(const SignedRequest& req, const Config& cfg, int64_t now_s, sigv4::SigningKeyCache& keys) {
  return authenticate(req, Namespace(cfg), now_s, keys);
}

// The access key id a request's signature names, whatever its form, unverified ("" when it names none): what the
// registry is asked for before verification, and what a refusal's log line names.
std::string_view claimed_key_id(const SignedRequest& req);

// Drops the parameters that carry authentication, so that the operation sees only its own.
void strip_auth_params(std::vector<http::QueryParam>& params);

}  // namespace s3p::auth
