// An identity provider's JSON Web Key Set (its jwks_uri), read into the keys a web-identity token may be verified
// with, and the choice of one for a token. Only RSA keys (2048-8192 bits) and EC P-256 keys are kept: symmetric
// ("oct") keys and anything else are dropped at parse time, so no token can be checked with an HMAC over public
// key bytes. Pure; the host verifies signatures with the normalised JWK (`jwk`) through WebCrypto.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "worker/rules/web_identity_token.h"

namespace s3p::jwt {

struct Jwk {
  std::string kid;
  Alg alg = Alg::RS256;  // RS256 for an RSA key, ES256 for an EC P-256 key (what it may verify)
  std::string jwk;       // {"kty":"RSA","n":..,"e":..} or {"kty":"EC","crv":"P-256","x":..,"y":..}
};

inline constexpr size_t kMaxJwksBytes = 64 * 1024;
inline constexpr size_t kMaxJwksKeys = 32;

// False with `why` when the document is not {"keys": [...]} within the bounds. Keys that are not usable for
// signatures (other kty, curve or size, `use` other than "sig", an `alg` not matching the key type, no kid) are
// skipped, not errors: a provider may publish encryption keys beside its signing keys.
bool parse_jwks(std::string_view text, std::vector<Jwk>& out, std::string& why);

enum class KeyChoice { Found, UnknownKid, WrongKeyType };
// The key named `kid` for a token signed with `alg`; WrongKeyType when the kid names a key of another type (an
// RS256 header pointing at an EC key, or the reverse): refused, never converted.
KeyChoice select_key(const std::vector<Jwk>& keys, std::string_view kid, Alg alg, const Jwk*& out);

}  // namespace s3p::jwt
