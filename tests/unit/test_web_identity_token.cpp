// The pure rules of AssumeRoleWithWebIdentity: the token's parse and claim checks (rules/web_identity_token.h),
// the JWKS parse and key choice (rules/jwks.h), the claim patterns (rules/claim_glob.h), and the identity provider
// and role trust config (config/identity_providers.h, config/roles.h).
#include <catch2/catch.hpp>

#include "worker/config/config.h"
#include "worker/crypto/base64.h"
#include "worker/rules/claim_glob.h"
#include "worker/rules/jwks.h"
#include "worker/rules/web_identity_token.h"

using namespace s3p;

namespace {

constexpr int64_t kNow = 1800000000;

std::string part(const std::string& json) { return b64::encode_url(json); }

std::string token(const std::string& header, const std::string& payload, const std::string& sig = std::string(256, 's')) {
  return part(header) + "." + part(payload) + "." + b64::encode_url(sig);
}

std::string claims(const std::string& extra = "") {
  return R"({"iss":"https://idp.example","sub":"repo:org/a:ref:refs/heads/main","aud":"sts.amazonaws.com","exp":)" +
         std::to_string(kNow + 300) + R"(,"iat":)" + std::to_string(kNow) + R"(,"repository":"org/a","ref":"refs/heads/main","run":7)" +
         extra + "}";
}

std::string why_not(const std::string& t) {
  jwt::Token out;
  std::string why;
  return jwt::parse_token(t, out, why) ? "OK" : why;
}

std::string b64n(size_t n, char c = 'n') { return b64::encode_url(std::string(n, c)); }

}  // namespace

TEST_CASE("web identity token: RS256 and ES256 with a kid parse; claims are read", "[webid]") {
  jwt::Token t;
  std::string why;
  REQUIRE(jwt::parse_token(token(R"({"alg":"RS256","kid":"k1","typ":"JWT"})", claims()), t, why));
  CHECK(t.alg == jwt::Alg::RS256);
  CHECK(t.kid == "k1");
  CHECK(t.iss == "https://idp.example");
  CHECK(t.aud == std::vector<std::string>{"sts.amazonaws.com"});
  CHECK(t.exp == kNow + 300);
  CHECK(t.has_iat);
  CHECK_FALSE(t.has_nbf);
  REQUIRE(t.claim("repository"));
  CHECK(*t.claim("repository") == "org/a");
  CHECK(t.claim("run") == nullptr);  // not a string claim
  CHECK(t.signature.size() == 256);
  CHECK(t.signing_input.find('.') != std::string::npos);
  REQUIRE(jwt::parse_token(token(R"({"alg":"ES256","kid":"e"})", claims(R"(,"aud2":"x")"), std::string(64, 'e')), t, why));
  CHECK(t.alg == jwt::Alg::ES256);
}

TEST_CASE("web identity token: none, HS256 and every other alg are refused before any key lookup", "[webid]") {
  CHECK(why_not(token(R"({"alg":"none","kid":"k1"})", claims(), "")).find("alg none") != std::string::npos);
  CHECK(why_not(token(R"({"alg":"HS256","kid":"k1"})", claims(), std::string(32, 'h'))).find("alg HS256") != std::string::npos);
  for (const char* alg : {"HS384", "HS512", "PS256", "RS384", "RS512", "ES384", "ES512", "EdDSA", "rs256", ""})
    CHECK(why_not(token(std::string(R"({"alg":")") + alg + R"(","kid":"k1"})", claims())).find("is not accepted") != std::string::npos);
  CHECK(why_not(token(R"({"kid":"k1"})", claims())) == "header has no alg");
  CHECK(why_not(token(R"({"alg":["RS256"],"kid":"k1"})", claims())) == "header has no alg");
}

TEST_CASE("web identity token: malformed shapes are refused with a reason", "[webid]") {
  const std::string good = token(R"({"alg":"RS256","kid":"k1"})", claims());
  CHECK(why_not(good) == "OK");
  CHECK(why_not("") == "empty token");
  CHECK(why_not("a.b") != "OK");
  CHECK(why_not(good + ".x") != "OK");
  CHECK(why_not(std::string(jwt::kMaxTokenBytes + 1, 'a')).find("over") != std::string::npos);
  CHECK(why_not(token(R"({"alg":"RS256"})", claims())) == "header has no kid");
  CHECK(why_not(token(R"({"alg":"RS256","kid":""})", claims())) == "header has no kid");
  CHECK(why_not(token(R"({"alg":"RS256","kid":7})", claims())) == "header has no kid");
  CHECK(why_not(token(R"({"alg":"RS256","kid":"k","crit":["b64"]})", claims())) == "header has crit");
  CHECK(why_not(token(R"(["alg","RS256"])", claims())).find("header") != std::string::npos);
  CHECK(why_not("!!!." + part(claims()) + "." + b64n(256)).find("header") != std::string::npos);
  CHECK(why_not(token(R"({"alg":"RS256","kid":"k"})", "not json")).find("payload") != std::string::npos);
  CHECK(why_not(token(R"({"alg":"RS256","kid":"k"})", R"({"sub":"s","aud":"a","exp":1})")) == "no iss claim");
  CHECK(why_not(token(R"({"alg":"RS256","kid":"k"})", R"({"iss":"i","aud":"a","exp":1})")) == "no sub claim");
  CHECK(why_not(token(R"({"alg":"RS256","kid":"k"})", R"({"iss":"i","sub":"s","exp":1})")) == "no aud claim");
  CHECK(why_not(token(R"({"alg":"RS256","kid":"k"})", R"({"iss":"i","sub":"s","aud":[1],"exp":1})")) == "aud holds a non-string");
  CHECK(why_not(token(R"({"alg":"RS256","kid":"k"})", R"({"iss":"i","sub":"s","aud":[],"exp":1})")).find("aud is not") == 0);
  CHECK(why_not(token(R"({"alg":"RS256","kid":"k"})", R"({"iss":"i","sub":"s","aud":"a"})")).find("exp") == 0);
  CHECK(why_not(token(R"({"alg":"RS256","kid":"k"})", R"({"iss":"i","sub":"s","aud":"a","exp":"soon"})")).find("exp") == 0);
  CHECK(why_not(token(R"({"alg":"RS256","kid":"k"})", R"({"iss":"i","sub":"s","aud":"a","exp":1,"nbf":"x"})")) == "nbf not a date");
  // The signature's length must fit the alg: ES256 is raw r||s (64 bytes); RS256 is the modulus' length.
  CHECK(why_not(token(R"({"alg":"ES256","kid":"e"})", claims(), std::string(63, 'e'))).find("64 bytes") != std::string::npos);
  CHECK(why_not(token(R"({"alg":"ES256","kid":"e"})", claims(), std::string(72, 'e'))).find("64 bytes") != std::string::npos);
  CHECK(why_not(token(R"({"alg":"RS256","kid":"k"})", claims(), std::string(64, 's'))).find("RS256") != std::string::npos);
  CHECK(why_not(part(R"({"alg":"RS256","kid":"k"})") + "." + part(claims()) + ".a+b/").find("base64url") != std::string::npos);
}

TEST_CASE("web identity token: iss, aud (string or array), exp / nbf / iat with 60 s skew", "[webid]") {
  jwt::Token t;
  std::string why;
  REQUIRE(jwt::parse_token(token(R"({"alg":"RS256","kid":"k1"})", claims()), t, why));
  const std::vector<std::string> auds{"other", "sts.amazonaws.com"};
  CHECK(jwt::check_claims(t, "https://idp.example", auds, kNow, why) == jwt::ClaimCheck::Ok);
  CHECK(jwt::check_claims(t, "https://idp.example/", auds, kNow, why) == jwt::ClaimCheck::WrongIssuer);
  CHECK(jwt::check_claims(t, "https://idp.example", {"s3-edge-proxy"}, kNow, why) == jwt::ClaimCheck::WrongAudience);
  CHECK(jwt::check_claims(t, "https://idp.example", auds, kNow + 300 + 59, why) == jwt::ClaimCheck::Ok);
  CHECK(jwt::check_claims(t, "https://idp.example", auds, kNow + 300 + 60, why) == jwt::ClaimCheck::Expired);
  CHECK(jwt::check_claims(t, "https://idp.example", auds, kNow - 61, why) == jwt::ClaimCheck::IssuedInFuture);
  REQUIRE(jwt::parse_token(token(R"({"alg":"RS256","kid":"k1"})",
                                 R"({"iss":"i","sub":"s","aud":["x","y"],"exp":)" + std::to_string(kNow + 900) +
                                     R"(,"nbf":)" + std::to_string(kNow + 120) + "}"),
                           t, why));
  CHECK(jwt::check_claims(t, "i", {"y"}, kNow, why) == jwt::ClaimCheck::NotYetValid);
  CHECK(jwt::check_claims(t, "i", {"y"}, kNow + 60, why) == jwt::ClaimCheck::Ok);
  CHECK(jwt::check_claims(t, "i", {"z"}, kNow + 60, why) == jwt::ClaimCheck::WrongAudience);
}

TEST_CASE("JWKS: RSA and EC P-256 signing keys are kept; oct and unusable keys are dropped", "[webid]") {
  const std::string rsa = R"({"kty":"RSA","kid":"r1","use":"sig","alg":"RS256","n":")" + b64n(256) + R"(","e":"AQAB"})";
  const std::string ec = R"({"kty":"EC","kid":"e1","crv":"P-256","x":")" + b64n(32, 'x') + R"(","y":")" + b64n(32, 'y') + R"("})";
  const std::string doc = R"({"keys":[)" + rsa + "," + ec +
                          R"(,{"kty":"oct","kid":"h1","k":"c2VjcmV0"})"
                          R"(,{"kty":"RSA","kid":"enc","use":"enc","n":")" + b64n(256) + R"(","e":"AQAB"})"
                          R"(,{"kty":"RSA","kid":"ps","alg":"PS256","n":")" + b64n(256) + R"(","e":"AQAB"})"
                          R"(,{"kty":"RSA","kid":"short","n":")" + b64n(128) + R"(","e":"AQAB"})"
                          R"(,{"kty":"EC","kid":"p384","crv":"P-384","x":")" + b64n(48) + R"(","y":")" + b64n(48) + R"("})"
                          R"(,{"kty":"RSA","n":")" + b64n(256) + R"(","e":"AQAB"}]})";
  std::vector<jwt::Jwk> keys;
  std::string why;
  REQUIRE(jwt::parse_jwks(doc, keys, why));
  REQUIRE(keys.size() == 2);
  CHECK(keys[0].kid == "r1");
  CHECK(keys[0].jwk == R"({"kty":"RSA","n":")" + b64n(256) + R"(","e":"AQAB"})");
  CHECK(keys[1].alg == jwt::Alg::ES256);
  const jwt::Jwk* k = nullptr;
  CHECK(jwt::select_key(keys, "r1", jwt::Alg::RS256, k) == jwt::KeyChoice::Found);
  CHECK(k == &keys[0]);
  CHECK(jwt::select_key(keys, "e1", jwt::Alg::ES256, k) == jwt::KeyChoice::Found);
  // An RS256 header naming the EC key (or the reverse) is refused, not converted.
  CHECK(jwt::select_key(keys, "e1", jwt::Alg::RS256, k) == jwt::KeyChoice::WrongKeyType);
  CHECK(jwt::select_key(keys, "r1", jwt::Alg::ES256, k) == jwt::KeyChoice::WrongKeyType);
  CHECK(jwt::select_key(keys, "h1", jwt::Alg::RS256, k) == jwt::KeyChoice::UnknownKid);  // the oct key is gone
  CHECK(jwt::select_key(keys, "nope", jwt::Alg::RS256, k) == jwt::KeyChoice::UnknownKid);
  CHECK_FALSE(jwt::parse_jwks("[]", keys, why));
  CHECK_FALSE(jwt::parse_jwks(R"({"keys":{}})", keys, why));
  CHECK_FALSE(jwt::parse_jwks(std::string(jwt::kMaxJwksBytes + 1, ' '), keys, why));
  REQUIRE(jwt::parse_jwks(R"({"keys":[]})", keys, why));
  CHECK(keys.empty());
}

TEST_CASE("claim patterns: whole-value match, * spans any characters", "[webid]") {
  CHECK(glob_match("repo:org/a:ref:refs/heads/main", "repo:org/a:ref:refs/heads/main"));
  CHECK_FALSE(glob_match("repo:org/a:ref:refs/heads/main", "repo:org/a:ref:refs/heads/main2"));
  CHECK(glob_match("repo:org/*", "repo:org/a:ref:refs/heads/main"));
  CHECK_FALSE(glob_match("repo:org/*", "repo:org2/a"));
  CHECK(glob_match("*:ref:refs/heads/main", "repo:x/y:ref:refs/heads/main"));
  CHECK(glob_match("repo:*/a:*", "repo:org/a:pull_request"));
  CHECK_FALSE(glob_match("repo:*/a:*", "repo:org/b:pull_request"));
  CHECK(glob_match("*", ""));
  CHECK(glob_match("*", "anything"));
  CHECK_FALSE(glob_match("", "x"));
  CHECK(glob_match("a*b*c", "aXbYbZc"));
  CHECK_FALSE(glob_match("a*b*c", "aXbYbZ"));
  CHECK_FALSE(glob_match("?", "x"));  // no other wildcard
}

namespace {

std::string idp_config(const std::string& idps, const std::string& role) {
  return R"({"backends": {"main": {"endpoint": "http://127.0.0.1:9000", "bucket": "bk"}},
    "accounts": {"acct": {"repositories": {"data": {"backend": "main", "prefix": "d/"}}}},
    "sts": {"session_key_secret": "STS_KEY", "identity_providers": )" + idps + R"(},
    "roles": {"ci": )" + role + "}}";
}
const std::string kIdp = R"({"gha": {"issuer": "https://idp.example", "audiences": ["sts.amazonaws.com"], "jwks_url": "https://idp.example/jwks"}})";
const std::string kRole = R"({"scopes": [{"account": "acct", "repository": "data", "actions": ["read"]}],
  "web_identity": {"provider": "gha", "conditions": {"sub": "repo:org/*", "ref": ["refs/heads/main", "refs/tags/*"]}},
  "revoked_subjects": ["repo:org/bad"]})";

std::string load_error(const std::string& cfg_text) {
  Config cfg;
  std::string error;
  return load_config(cfg_text, {{"STS_KEY", b64::encode(std::string(32, 'k'))}}, cfg, error) ? "OK" : error;
}

}  // namespace

TEST_CASE("config: identity providers and roles' web identity trust, errors naming the field", "[webid]") {
  Config cfg;
  std::string error;
  REQUIRE(load_config(idp_config(kIdp, kRole), {{"STS_KEY", b64::encode(std::string(32, 'k'))}}, cfg, error));
  const IdentityProvider* p = cfg.sts.find_idp("gha");
  REQUIRE(p);
  CHECK(p->issuer == "https://idp.example");
  const Role* r = cfg.find_role("ci");
  REQUIRE(r);
  CHECK(r->trusted_keys.empty());
  CHECK(r->trusts_provider("gha"));
  CHECK_FALSE(r->trusts_provider("other"));
  CHECK(r->revoked("repo:org/bad"));
  CHECK_FALSE(r->revoked("repo:org/good"));
  REQUIRE(r->web_identity.conditions.size() == 2);

  CHECK(load_error(idp_config(R"({"gha": {"audiences": ["a"], "jwks_url": "https://x/j"}})", kRole)) ==
        "sts.identity_providers.gha.issuer: is required");
  CHECK(load_error(idp_config(R"({"gha": {"issuer": "i", "audiences": [], "jwks_url": "https://x/j"}})", kRole))
            .find("sts.identity_providers.gha.audiences:") == 0);
  CHECK(load_error(idp_config(R"({"gha": {"issuer": "i", "audiences": ["a"], "jwks_url": "http://idp.example/j"}})", kRole))
            .find("sts.identity_providers.gha.jwks_url:") == 0);
  CHECK(load_error(idp_config(R"({"gha": {"issuer": "i", "audiences": ["a"], "jwks_url": "http://127.0.0.1:8080/j"}})", kRole)) == "OK");
  CHECK(load_error(idp_config(R"({"gha": {"issuer": "i", "audiences": ["a"], "jwks_url": "https://x/j", "extra": 1}})", kRole))
            .find("sts.identity_providers.gha.extra:") == 0);
  CHECK(load_error(idp_config(R"({"g h": {"issuer": "i", "audiences": ["a"], "jwks_url": "https://x/j"}})", kRole))
            .find("sts.identity_providers.g h:") == 0);
  CHECK(load_error(idp_config(kIdp, R"({"scopes": [], "web_identity": {"provider": "nope", "conditions": {"sub": "*"}}})"))
            .find("roles.ci.web_identity.provider: unknown identity provider") == 0);
  CHECK(load_error(idp_config(kIdp, R"({"scopes": [], "web_identity": {"provider": "gha"}})"))
            .find("roles.ci.web_identity.conditions:") == 0);
  CHECK(load_error(idp_config(kIdp, R"({"scopes": [], "web_identity": {"provider": "gha", "conditions": {"sub": ""}}})"))
            .find("roles.ci.web_identity.conditions.sub:") == 0);
  CHECK(load_error(idp_config(kIdp, R"({"scopes": [], "web_identity": {"provider": "gha", "conditions": {"sub": "*"}, "x": 1}})"))
            .find("roles.ci.web_identity.x:") == 0);
  CHECK(load_error(idp_config(kIdp, R"({"scopes": []})")).find("roles.ci.trusted_keys: is required") == 0);
  CHECK(load_error(idp_config(kIdp, R"({"scopes": [], "web_identity": {"provider": "gha", "conditions": {"sub": "*"}}, "revoked_subjects": "x"})"))
            .find("roles.ci.revoked_subjects:") == 0);

  IdentityProvider entry;
  CHECK(load_idp_entry("gha", R"({"issuer": "i", "audiences": ["a"], "jwks_url": "https://x/j"})", entry, error));
  CHECK_FALSE(load_idp_entry("gha", R"({"issuer": "i", "audiences": ["a"]})", entry, error));
  CHECK(error == "idp gha.jwks_url: is required");
}
