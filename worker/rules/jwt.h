// The OIDC token the proxy mints for STS: a compact JWS with header {"alg":"RS256","typ":"JWT","kid":...} and
// claims iss, sub, aud, iat, nbf, exp, jti. The RS256 signature itself is made by the host (WebCrypto); this file
// only builds the bytes that are signed and assembles the token.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace s3p::jwt {

struct Claims {
  std::string iss, sub, aud, jti;
  int64_t iat = 0, nbf = 0, exp = 0;  // unix seconds
};

// base64url(header) "." base64url(claims): what RS256 signs.
std::string signing_input(std::string_view kid, const Claims& claims);

// signing_input "." base64url(signature).
std::string compact(std::string_view signing_input, std::string_view signature);

}  // namespace s3p::jwt
