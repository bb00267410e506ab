// The public half (modulus n, exponent e) of the RSA signing key, read from its PKCS#8 PEM at config load so that
// /.well-known/jwks.json can be served without a host round trip, and so that a wrong or non-RSA key is a config
// error instead of a failed exchange later. This is DER *parsing* only: signing stays in WebCrypto.
#pragma once
#include <string>
#include <string_view>

namespace s3p {

struct RsaPublicKey {
  std::string n, e;  // unsigned big-endian, without leading zero bytes
};

// "-----BEGIN PRIVATE KEY-----" PKCS#8 (RFC 5208) holding an rsaEncryption key (the form WebCrypto imports).
bool rsa_public_from_pkcs8_pem(std::string_view pem, RsaPublicKey& out, std::string& why);

// {"kty":"RSA","use":"sig","alg":"RS256","kid":...,"n":...,"e":...}
std::string jwk_json(const RsaPublicKey& key, std::string_view kid);

// RFC 7638 thumbprint (base64url SHA-256 of {"e":..,"kty":"RSA","n":..}): the default kid.
std::string jwk_thumbprint(const RsaPublicKey& key);

}  // namespace s3p
