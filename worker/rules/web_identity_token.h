// A web-identity token as AssumeRoleWithWebIdentity receives it (an OIDC ID token from CI: GitHub Actions, GitLab,
// Kubernetes): a compact JWS parsed and checked here, everything but the signature — which the host verifies
// (WebCrypto, the VerifySignature action) with the identity provider's key (rules/jwks.h). Pure: fuzzed by
// tests/fuzz/fuzz_web_identity_token.cpp.
//
// Refused before any key is looked up: more than kMaxTokenBytes, not three base64url parts, a header that is not a
// JSON object, an `alg` other than RS256 / ES256 (so `none` and HS256 never reach a key: no HMAC confusion), no
// `kid`, a `crit` header, a signature of the wrong length for its algorithm (ES256: raw r‖s, 64 bytes), claims
// without string `iss` and `sub`, an `aud` that is not a string or an array of strings, an `exp` that is not a
// number. Then `check_claims`: the issuer, the audience, and the times with bounded skew.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace s3p::jwt {

enum class Alg { RS256, ES256 };
std::string_view alg_name(Alg a);

inline constexpr size_t kMaxTokenBytes = 16 * 1024;  // GitHub's and GitLab's are ~1-2 KiB
inline constexpr int64_t kClockSkewS = 60;

struct Token {
  Alg alg = Alg::RS256;
  std::string kid;
  std::string signing_input;  // base64url(header) "." base64url(payload): what the signature covers
  std::string signature;      // decoded
  std::string iss, sub;
  std::vector<std::string> aud;
  int64_t exp = 0;
  bool has_nbf = false, has_iat = false;
  int64_t nbf = 0, iat = 0;
  // The payload's top-level string claims (sub, repository, ref, ...): what role conditions match (sorted by name).
  std::vector<std::pair<std::string, std::string>> claims;
  const std::string* claim(std::string_view name) const;
};

// False with `why` (for the log: never the token) when the token is not a well-formed RS256/ES256 JWS with a kid.
bool parse_token(std::string_view compact, Token& out, std::string& why);

enum class ClaimCheck { Ok, WrongIssuer, WrongAudience, Expired, NotYetValid, IssuedInFuture };
// `iss` equal to `issuer`; `aud` holding one of `audiences`; now < exp + skew; nbf, iat (when present) ≤ now + skew.
ClaimCheck check_claims(const Token& t, std::string_view issuer, const std::vector<std::string>& audiences,
                        int64_t now_s, std::string& why);

}  // namespace s3p::jwt
