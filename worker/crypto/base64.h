// Base64 (RFC 4648 §4, padded) and base64url (§5, unpadded, as JWTs and JWKs use it). An encoding, not crypto:
// it lives here because key material (PEM bodies, AES keys, signatures) is what passes through it.
#pragma once
#include <string>
#include <string_view>

namespace s3p::b64 {

std::string encode(std::string_view bytes);      // standard alphabet, '=' padded
std::string encode_url(std::string_view bytes);  // URL-safe alphabet, no padding

// Strict standard-alphabet decoding: padding optional, but bytes outside the alphabet (whitespace included) and
// impossible lengths are errors. `out` is replaced.
bool decode(std::string_view text, std::string& out);
// Strict base64url without padding: the inverse of encode_url, the same rules otherwise.
bool decode_url(std::string_view text, std::string& out);

}  // namespace s3p::b64
