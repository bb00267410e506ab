// Deterministic authenticated encryption built from HMAC-SHA256 alone, in the shape of SIV (RFC 5297): the IV is
// a MAC of the binding and the plaintext, and the keystream is HMAC in counter mode under that IV. Sealing the same
// plaintext twice gives the same output (no randomness needed, so no host round trip), and a sealed value opens
// only under the same keys and binding. For short opaque tokens the core hands to clients and must read back;
// not for bulk data.
//
//   iv     = HMAC(k_mac, u32be(|binding|) || binding || plaintext)[:16]
//   block i = HMAC(k_enc, iv || u32be(i))                     (32 keystream bytes each)
//   sealed = iv || plaintext XOR keystream
//
// Opening recomputes the keystream from the IV, then the IV from the candidate plaintext, and compares in constant
// time: as in SIV, the IV is the tag, so the check needs the candidate plaintext; nothing of it is released unless
// the check holds.
#pragma once
#include <string>
#include <string_view>

#include "worker/crypto/sha256.h"

namespace s3p::crypto {

struct SivKeys {
  Digest mac{}, enc{};
};

inline constexpr size_t kSivIvSize = 16;

// Two independent keys from one root secret (any length; HMAC hashes long ones).
SivKeys siv_keys(std::string_view root);
std::string siv_seal(const SivKeys& keys, std::string_view binding, std::string_view plaintext);
// False (and `plaintext` empty) for a short, tampered or foreign input.
bool siv_open(const SivKeys& keys, std::string_view binding, std::string_view sealed, std::string& plaintext);

}  // namespace s3p::crypto
