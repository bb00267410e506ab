#include "worker/ops/client_body.h"

#include "worker/crypto/md5.h"
#include "worker/crypto/sha256.h"

namespace s3p {

namespace {

bool is_hex_digest(std::string_view v) {
  if (v.size() != 64) return false;
  for (char c : v)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

bool body_matches_declared(std::string_view body, std::string_view payload_hash, const Headers& headers, Failure& out) {
  if (is_hex_digest(payload_hash) && crypto::hex(crypto::sha256(body)) != payload_hash) {
    out = client_fault(errors::XAmzContentSHA256Mismatch, "body does not match x-amz-content-sha256");
    return false;
  }
  if (const std::string* md5 = find_header(headers, "content-md5"); md5 && *md5 != crypto::content_md5(body)) {
    out = client_fault(errors::BadDigest, "body does not match Content-MD5");
    return false;
  }
  return true;
}

}  // namespace s3p
