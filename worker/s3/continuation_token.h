// ListObjectsV2 continuation tokens as clients see them: sealed (crypto/siv_hmac) so that what the proxy keeps in
// them — a repository and the backend's own token, which some backends (Ceph RGW) make of the raw next key,
// backend prefix included — is neither readable nor forgeable, and bound to the listing they continue (account,
// prefix, delimiter), so a token from another listing, account or deployment does not open.
//
//   token = base64url(0x01 || iv || ciphertext)      0x01: this format; a future one gets another byte
//
// What the plaintext means is the caller's (worker/ops/list_objects.cpp: "{repo}/{backend token}", in V2 tokens
// and in the V1 NextMarker of a backend without start-after).
#pragma once
#include <string>
#include <string_view>

#include "worker/crypto/siv_hmac.h"

namespace s3p::list_token {

// The listing a token continues.
struct Listing {
  std::string_view account, prefix, delimiter;
};

// Longer tokens are refused unread: ours stay well below (a backend token plus a repository name).
inline constexpr size_t kMaxTokenLength = 4096;

std::string seal(const crypto::SivKeys& keys, const Listing& listing, std::string_view plaintext);
// False for anything that is not a token this key sealed for this listing (garbage, tampered, truncated,
// extended, another listing's, another key's). `plaintext` is empty then.
bool open(const crypto::SivKeys& keys, const Listing& listing, std::string_view token, std::string& plaintext);

}  // namespace s3p::list_token
