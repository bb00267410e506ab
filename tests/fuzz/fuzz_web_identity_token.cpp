// Fuzzes the web-identity token parse and claim checks (rules/web_identity_token.h), the JWKS parse and key
// choice (rules/jwks.h) and the claim patterns (rules/claim_glob.h). The first byte picks which. Invariants: a
// token that parses is RS256 or ES256 with a kid, its signing input is the input's first two parts, an ES256
// signature is 64 bytes; a parsed JWKS holds only RSA / EC P-256 keys, each normalised JWK is JSON; `*` matches
// anything and a pattern without `*` matches exactly itself.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "worker/rules/claim_glob.h"
#include "worker/rules/jwks.h"
#include "worker/rules/web_identity_token.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string in(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string why;
  switch (data[0] % 3) {
    case 0: {
      s3p::jwt::Token t;
      if (!s3p::jwt::parse_token(in, t, why)) {
        if (why.empty()) __builtin_trap();
        break;
      }
      if (t.kid.empty() || in.compare(0, t.signing_input.size(), t.signing_input) != 0) __builtin_trap();
      if (t.alg == s3p::jwt::Alg::ES256 && t.signature.size() != 64) __builtin_trap();
      if (t.iss.empty() || t.sub.empty() || t.aud.empty()) __builtin_trap();
      for (size_t i = 1; i < t.claims.size(); ++i)
        if (!(t.claims[i - 1].first < t.claims[i].first)) __builtin_trap();
      (void)s3p::jwt::check_claims(t, t.iss, t.aud, t.exp - 1, why);
      if (s3p::jwt::check_claims(t, t.iss, t.aud, t.exp + 61, why) != s3p::jwt::ClaimCheck::Expired) __builtin_trap();
      break;
    }
    case 1: {
      std::vector<s3p::jwt::Jwk> keys;
      if (!s3p::jwt::parse_jwks(in, keys, why)) break;
      for (const auto& k : keys) {
        const auto j = nlohmann::json::parse(k.jwk, nullptr, false);
        if (j.is_discarded() || !j.is_object() || k.kid.empty()) __builtin_trap();
        const std::string kty = j.value("kty", "");
        if ((k.alg == s3p::jwt::Alg::RS256) != (kty == "RSA") || (kty != "RSA" && kty != "EC")) __builtin_trap();
        const s3p::jwt::Jwk* chosen = nullptr;
        if (s3p::jwt::select_key(keys, k.kid, k.alg, chosen) != s3p::jwt::KeyChoice::Found || chosen->alg != k.alg)
          __builtin_trap();
      }
      break;
    }
    default: {
      const size_t cut = in.find('\n');
      const std::string p = in.substr(0, cut), v = cut == std::string::npos ? "" : in.substr(cut + 1);
      if (!s3p::glob_match("*", v)) __builtin_trap();
      if (v.find('*') == std::string::npos && !s3p::glob_match(v, v)) __builtin_trap();
      if (p.find('*') == std::string::npos && s3p::glob_match(p, v) != (p == v)) __builtin_trap();
      break;
    }
  }
  return 0;
}
