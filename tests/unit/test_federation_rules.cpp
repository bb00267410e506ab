// Federation's pure rules: ARNs, session names, timestamps, base64, the L2 key/TTL/entry, STS parsing and the
// error mapping, the JWT, the public JWK and the federation config.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "federation_fixture.h"
#include "worker/config/config.h"
#include "worker/creds/l2_entry.h"
#include "worker/creds/sts_request.h"
#include "worker/creds/sts_response.h"
#include "worker/crypto/base64.h"
#include "worker/rules/arn.h"
#include "worker/rules/iso8601.h"
#include "worker/rules/jwt.h"
#include "worker/rules/rsa_public_key.h"
#include "worker/rules/session_name.h"

using namespace s3p;

namespace {

int64_t at(const char* iso) {
  int64_t ms = 0;
  REQUIRE(parse_iso8601_ms(iso, ms));
  return ms;
}

std::string sts_ok(const char* expiration) {
  return std::string(
             "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
             "<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId>"
             "<SecretAccessKey>secret/key+1</SecretAccessKey><SessionToken>token==</SessionToken>") +
         (expiration ? std::string("<Expiration>") + expiration + "</Expiration>" : "") +
         "</Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>";
}

const char* kStsError =
    "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
    "<Code>AccessDenied</Code><Message>Not authorized</Message></Error><RequestId>r</RequestId></ErrorResponse>";

nlohmann::json json_of(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  return j;
}

std::string unb64url(std::string s) {
  for (char& c : s) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (s.size() % 4) s += '=';
  std::string out;
  REQUIRE(b64::decode(s, out));
  return out;
}

}  // namespace

TEST_CASE("role ARN validation", "[federation][arn]") {
  const char* valid[] = {
      "arn:aws:iam::123456789012:role/reader",
      "arn:aws-cn:iam::123456789012:role/reader",
      "arn:aws-us-gov:iam::123456789012:role/reader",
      "arn:aws:iam::123456789012:role/path/to/reader",
      "arn:aws:iam::123456789012:role/path:with:colons/reader",
      "arn:aws:iam::123456789012:role/Name+=,.@_-",
      "arn:aws:iam::000000000000:role/x",
  };
  for (const char* a : valid) {
    INFO(a);
    CHECK(role_arn_problem(a).empty());
  }
  struct Bad { const char* arn; const char* why; };
  const Bad invalid[] = {
      {"", "must look like"},
      {"arn:aws:iam::123456789012", "must look like"},
      {"urn:aws:iam::123456789012:role/x", "must start with"},
      {"arn:aws-eu:iam::123456789012:role/x", "partition"},
      {"arn:AWS:iam::123456789012:role/x", "partition"},
      {"arn:aws:s3::123456789012:role/x", "service must be iam"},
      {"arn:aws:sts::123456789012:role/x", "service must be iam"},
      {"arn:aws:iam:us-east-1:123456789012:role/x", "region must be empty"},
      {"arn:aws:iam::12345678901:role/x", "12 digits"},
      {"arn:aws:iam::1234567890123:role/x", "12 digits"},
      {"arn:aws:iam::12345678901a:role/x", "12 digits"},
      {"arn:aws:iam::123456789012:user/x", "resource must be role/"},
      {"arn:aws:iam::123456789012:role", "resource must be role/"},
      {"arn:aws:iam::123456789012:role/", "role name must be 1-64"},
      {"arn:aws:iam::123456789012:role/path/", "role name must be 1-64"},
      {"arn:aws:iam::123456789012:role//x", "empty segment"},
      {"arn:aws:iam::123456789012:role/a b", "role name may only hold"},
      {"arn:aws:iam::123456789012:role/a:b", "role name may only hold"},
      {"arn:aws:iam::123456789012:role/p\x01q/x", "printable ASCII"},
  };
  for (const Bad& b : invalid) {
    INFO(b.arn);
    CHECK_THAT(role_arn_problem(b.arn), Catch::Contains(b.why));
  }
  CHECK_THAT(role_arn_problem("arn:aws:iam::123456789012:role/" + std::string(65, 'n')), Catch::Contains("1-64"));
  CHECK(role_arn_problem("arn:aws:iam::123456789012:role/" + std::string(64, 'n')).empty());
}

TEST_CASE("RoleSessionName sanitizing", "[federation][session]") {
  CHECK(sanitize_session_name("s3p-demo") == "s3p-demo");
  CHECK(sanitize_session_name("Az09_+=,.@-") == "Az09_+=,.@-");
  CHECK(sanitize_session_name("repo:acme/data set") == "repo-acme-data-set");
  CHECK(sanitize_session_name("caf\xc3\xa9") == "caf--");  // each non-ASCII byte
  CHECK(sanitize_session_name(std::string(100, 'x')) == std::string(64, 'x'));
  CHECK(sanitize_session_name("x") == "x-");
  CHECK(sanitize_session_name("") == "s3-edge-proxy");
  for (const std::string& in : {std::string("a"), std::string("\n\t"), std::string(200, '/')}) {
    const std::string out = sanitize_session_name(in);
    CHECK(out.size() >= 2);
    CHECK(out.size() <= 64);
  }
}

TEST_CASE("ISO 8601 expiration timestamps", "[federation][time]") {
  int64_t ms = 0;
  REQUIRE(parse_iso8601_ms("1970-01-01T00:00:00Z", ms));
  CHECK(ms == 0);
  REQUIRE(parse_iso8601_ms("2026-11-26T13:00:00Z", ms));
  CHECK(ms == 1795698000000LL);
  REQUIRE(parse_iso8601_ms("2026-11-26T13:10:11.709275Z", ms));
  CHECK(ms == 1795698611709LL);
  REQUIRE(parse_iso8601_ms("2026-11-26T14:00:00+01:00", ms));
  CHECK(ms == 1795698000000LL);
  REQUIRE(parse_iso8601_ms("2024-02-29T00:00:00Z", ms));
  for (const char* bad : {"", "2026-11-26", "2026-11-26T13:00:00", "2026-11-26 13:00:00Z", "2026-13-01T00:00:00Z",
                          "2025-02-29T00:00:00Z", "2026-11-26T24:00:00Z", "2026-11-26T13:00:00.Z",
                          "2026-11-26T13:00:00Zjunk", "not a date at all!!", "2026-11-26T13:00:00+0100"}) {
    INFO(bad);
    CHECK_FALSE(parse_iso8601_ms(bad, ms));
  }
}

TEST_CASE("base64 and base64url", "[federation][base64]") {
  // RFC 4648 §10 vectors.
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    CHECK(b64::encode(plain[i]) == enc[i]);
    std::string out;
    CHECK(b64::decode(enc[i], out));
    CHECK(out == plain[i]);
  }
  CHECK(b64::encode_url(std::string("\xfb\xff\xfe", 3)) == "-__-");
  CHECK(b64::encode_url("f") == "Zg");
  std::string out;
  CHECK_FALSE(b64::decode("Zm9v!", out));
  CHECK_FALSE(b64::decode("Zm9 v", out));
  CHECK_FALSE(b64::decode("Z", out));
  CHECK_FALSE(b64::decode("Zh==", out));  // non-zero leftover bits
}

TEST_CASE("L2 cache key: synthetic, percent-encoded segments", "[federation][l2]") {
  CHECK(l2::cache_key("arn:aws:iam::123456789012:role/path/reader", "s3p-demo") ==
        "https://sts-creds.cache.internal/v1/arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fpath%2Freader/s3p-demo");
  CHECK(l2::cache_key("arn:aws:iam::123456789012:role/x", "a@b.c,d=e+f") ==
        "https://sts-creds.cache.internal/v1/arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fx/a%40b.c%2Cd%3De%2Bf");
  // Distinct (role, session) pairs never collide, even when a naive join would.
  CHECK(l2::cache_key("arn:aws:iam::123456789012:role/a/b", "c") !=
        l2::cache_key("arn:aws:iam::123456789012:role/a", "b/c"));
}

TEST_CASE("L2 TTL arithmetic: Expiration - now - 300 s", "[federation][l2]") {
  const int64_t now = at("2026-11-26T12:00:00Z");
  CHECK(l2::ttl_seconds(now + 3600 * 1000, now) == 3300);
  CHECK(l2::ttl_seconds(now + 310 * 1000, now) == 10);
  CHECK(l2::ttl_seconds(now + 310 * 1000, now + 500) == 9);  // partial seconds round down
  CHECK(l2::ttl_seconds(now + 300 * 1000, now) == 0);
  CHECK(l2::ttl_seconds(now - 1000, now) < 0);

  auto ttl = [&](const std::string& body) { return l2::cacheable_ttl(parse_sts_response(body), now); };
  CHECK(ttl(sts_ok("2026-11-26T13:00:00Z")) == 3300);
  CHECK(ttl(sts_ok("2026-11-26T12:05:01Z")) == 1);
  CHECK(ttl(sts_ok("2026-11-26T12:05:00Z")) == 0);    // near expiry: not cached
  CHECK(ttl(sts_ok("2026-11-26T11:00:00Z")) == 0);    // expired: not cached
  CHECK(ttl(sts_ok(nullptr)) == 0);                    // no Expiration
  CHECK(ttl(sts_ok("tomorrow-ish")) == 0);             // unparseable Expiration
  CHECK(ttl(kStsError) == 0);                          // error document
  CHECK(ttl("<<garbage>>") == 0);
}

TEST_CASE("L2 entry plaintext carries its own expiry", "[federation][l2]") {
  const int64_t now = at("2026-11-26T12:00:00Z");
  const std::string body = sts_ok("2026-11-26T13:00:00Z");
  const std::string text = l2::plaintext(now + 10000, body);
  std::string_view got;
  CHECK(l2::read_plaintext(text, now, got).empty());
  CHECK(got == body);
  CHECK(l2::read_plaintext(text, now + 10000, got) == "expired");
  CHECK(l2::read_plaintext("s3p-l2/1\nabc\n" + body, now, got) == "malformed expiry");
  CHECK(l2::read_plaintext("s3p-l2/1\n", now, got) == "malformed expiry");
  CHECK(l2::read_plaintext("something else", now, got) == "unknown format");
  CHECK(l2::read_plaintext(text.substr(0, 12), now, got) == "malformed expiry");  // truncated
}

TEST_CASE("STS responses: credentials, error documents, garbage", "[federation][sts]") {
  StsResponse ok = parse_sts_response(sts_ok("2026-11-26T13:10:11.709275Z"));
  REQUIRE(ok.kind == StsResponse::Kind::Credentials);
  CHECK(ok.creds.access_key_id == "ASIAEXAMPLE");
  CHECK(ok.creds.secret_access_key == "secret/key+1");
  CHECK(ok.creds.session_token == "token==");
  CHECK(ok.has_expiration);
  CHECK(ok.expiration_ms == 1795698611709LL);

  StsResponse err = parse_sts_response(kStsError);
  REQUIRE(err.kind == StsResponse::Kind::Error);
  CHECK(err.code == "AccessDenied");
  CHECK(err.message == "Not authorized");

  CHECK(parse_sts_response("").kind == StsResponse::Kind::Unparseable);
  CHECK(parse_sts_response("this is not XML {\"garbage\": true}").kind == StsResponse::Kind::Unparseable);
  const std::string full = sts_ok("2026-11-26T13:00:00Z");
  CHECK(parse_sts_response(full.substr(0, full.size() / 2)).kind == StsResponse::Kind::Unparseable);
  std::string no_token = full;
  no_token.replace(no_token.find("<SessionToken>token==</SessionToken>"), 36, "");
  CHECK(parse_sts_response(no_token).kind == StsResponse::Kind::Unparseable);
  CHECK_FALSE(parse_sts_response(sts_ok("soon")).has_expiration);
}

TEST_CASE("STS outcome → client error mapping", "[federation][sts]") {
  auto outcome = [](FetchOutcome o, uint32_t status, std::string body, FlightFailure& f) {
    FetchResult r;
    r.outcome = o;
    r.status = status;
    r.body = std::move(body);
    r.error = "boom";
    StsResponse resp;
    return sts_outcome(r, resp, f);
  };
  FlightFailure f;
  CHECK(outcome(FetchOutcome::Ok, 200, sts_ok("2026-11-26T13:00:00Z"), f));
  CHECK_FALSE(outcome(FetchOutcome::Timeout, 0, "", f));
  CHECK(f.error->status == 503);
  CHECK_THAT(f.detail, Catch::Contains("timeout"));
  CHECK_FALSE(outcome(FetchOutcome::NetworkError, 0, "", f));
  CHECK(f.error->code == "ServiceUnavailable");
  CHECK_FALSE(outcome(FetchOutcome::Ok, 403, kStsError, f));
  CHECK(f.error->code == "AccessDenied");
  CHECK(f.error->status == 403);
  CHECK_THAT(f.detail, Catch::Contains("Not authorized"));
  std::string other = kStsError;
  other.replace(other.find("AccessDenied"), 12, "InvalidIdentityToken");
  CHECK_FALSE(outcome(FetchOutcome::Ok, 400, other, f));
  CHECK(f.error->status == 502);
  CHECK_THAT(f.detail, Catch::Contains("InvalidIdentityToken"));
  CHECK_FALSE(outcome(FetchOutcome::Ok, 200, "garbage", f));
  CHECK(f.error->status == 502);
  CHECK_FALSE(outcome(FetchOutcome::Ok, 500, sts_ok("2026-11-26T13:00:00Z"), f));  // credentials need a 200
  CHECK(f.error->status == 503);  // and a 5xx is STS failing: retryable
  CHECK_FALSE(outcome(FetchOutcome::Ok, 200, sts_ok("later"), f));
  CHECK(f.error->status == 502);
  CHECK_FALSE(outcome(FetchOutcome::BodyTooLarge, 200, "", f));
  CHECK(f.error->status == 502);
}

TEST_CASE("STS throttling and 5xx are retryable: 503 ServiceUnavailable", "[federation][sts]") {
  auto failure_of = [](uint32_t status, const std::string& body) {
    FetchResult r;
    r.status = status;
    r.body = body;
    StsResponse resp;
    FlightFailure f;
    CHECK_FALSE(sts_outcome(r, resp, f));
    return f;
  };
  auto error_doc = [](const std::string& code) {
    return "<ErrorResponse><Error><Type>Sender</Type><Code>" + code + "</Code><Message>slow down</Message></Error>"
           "</ErrorResponse>";
  };
  for (const char* code : {"Throttling", "RequestLimitExceeded", "ServiceUnavailable", "InternalFailure"}) {
    INFO(code);
    const FlightFailure f = failure_of(400, error_doc(code));
    CHECK(f.error->code == "ServiceUnavailable");
    CHECK(f.error->status == 503);
  }
  for (uint32_t status : {500u, 502u, 503u, 504u, 429u}) {
    INFO(status);
    CHECK(failure_of(status, "<html>bad gateway</html>").error->status == 503);
    CHECK(failure_of(status, error_doc("Whatever")).error->status == 503);
  }
  CHECK(failure_of(400, error_doc("InvalidIdentityToken")).error->status == 502);  // a rejection stays final
}

TEST_CASE("STS form POST", "[federation][sts]") {
  FederationSettings s;
  s.sts_url = "https://sts.example.org/";
  s.sts_timeout_ms = 10000;
  WebIdentityAuth w;
  w.role_arn = "arn:aws:iam::123456789012:role/a:b/reader";
  w.session_name = "s3p@demo";
  CHECK(sts_form(w, "h.c.s") ==
        "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fa%3Ab%2Freader"
        "&RoleSessionName=s3p%40demo&WebIdentityToken=h.c.s");
  w.duration_seconds = 900;
  FetchAction f = sts_fetch(s, w, "h.c.s");
  CHECK(f.method == "POST");
  CHECK(f.url == "https://sts.example.org/");
  CHECK(f.timeout_ms == 10000);
  CHECK(f.mode == ResponseMode::Buffer);
  CHECK(f.body.kind == BodyKind::Bytes);
  CHECK_THAT(f.body.bytes, Catch::EndsWith("&DurationSeconds=900"));
  CHECK(*find_header(f.headers, "content-type") == "application/x-www-form-urlencoded; charset=utf-8");
}

TEST_CASE("JWT: header and claims", "[federation][jwt]") {
  jwt::Claims c;
  c.iss = "https://proxy.example.org";
  c.sub = "repo:acme/\"data\"";
  c.aud = "sts.amazonaws.com";
  c.iat = c.nbf = 1795698000;
  c.exp = c.iat + 300;
  c.jti = "00112233445566778899aabbccddeeff";
  const std::string input = jwt::signing_input("k1", c);
  const auto dot = input.find('.');
  REQUIRE(dot != std::string::npos);
  CHECK(input.find('=') == std::string::npos);  // unpadded base64url
  const auto header = json_of(unb64url(input.substr(0, dot)));
  CHECK(header == nlohmann::json::parse(R"({"alg":"RS256","typ":"JWT","kid":"k1"})"));
  const auto claims = json_of(unb64url(input.substr(dot + 1)));
  CHECK(claims["iss"] == c.iss);
  CHECK(claims["sub"] == c.sub);
  CHECK(claims["aud"] == "sts.amazonaws.com");
  CHECK(claims["iat"] == 1795698000);
  CHECK(claims["nbf"] == 1795698000);
  CHECK(claims["exp"] == 1795698300);
  CHECK(claims["jti"] == c.jti);
  CHECK(claims.size() == 7);
  const std::string token = jwt::compact(input, std::string("\x01\x02\xff", 3));
  CHECK(token == input + ".AQL_");
}

TEST_CASE("public JWK from the PKCS#8 signing key", "[federation][jwk]") {
  RsaPublicKey key;
  std::string why;
  REQUIRE(rsa_public_from_pkcs8_pem(fedtest::kRsaPem, key, why));
  CHECK(b64::encode_url(key.n) == fedtest::kRsaN);
  CHECK(b64::encode_url(key.e) == fedtest::kRsaE);
  CHECK(jwk_thumbprint(key) == fedtest::kRsaThumbprint);
  const auto jwk = json_of(jwk_json(key, "k1"));
  CHECK(jwk["kty"] == "RSA");
  CHECK(jwk["alg"] == "RS256");
  CHECK(jwk["use"] == "sig");
  CHECK(jwk["kid"] == "k1");
  CHECK(jwk["n"] == fedtest::kRsaN);

  CHECK_FALSE(rsa_public_from_pkcs8_pem(fedtest::kEcPem, key, why));
  CHECK_THAT(why, Catch::Contains("not an RSA"));
  CHECK_FALSE(rsa_public_from_pkcs8_pem("not a pem", key, why));
  CHECK_FALSE(rsa_public_from_pkcs8_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", key, why));
  // Truncated DER: every prefix must fail cleanly (bounds-checked reader).
  std::string pem = fedtest::kRsaPem;
  const std::string begin = "-----BEGIN PRIVATE KEY-----\n", end = "-----END PRIVATE KEY-----";
  std::string body = pem.substr(begin.size(), pem.find(end) - begin.size()), der;
  body.erase(std::remove(body.begin(), body.end(), '\n'), body.end());
  REQUIRE(b64::decode(body, der));
  for (size_t n = 0; n < 300; n += 7) {
    const std::string cut = begin + b64::encode(der.substr(0, n)) + "\n" + end;
    CHECK_FALSE(rsa_public_from_pkcs8_pem(cut, key, why));
  }
}

TEST_CASE("federation config: defaults, documents and field errors", "[federation][config]") {
  Config cfg;
  std::string error;
  REQUIRE(load_config(fedtest::config(), fedtest::env(), cfg, error));
  const FederationSettings& f = cfg.federation;
  CHECK(f.enabled);
  CHECK(f.issuer == "https://proxy.example.org");
  CHECK(f.audience == "sts.amazonaws.com");
  CHECK(f.token_lifetime_seconds == 300);
  CHECK(f.sts_timeout_ms == 10000);
  CHECK(f.sts_url == "https://sts.example.org/");
  const Backend& b = *cfg.backends.at("fed");
  CHECK(b.auth == BackendAuth::WebIdentity);
  CHECK(b.web_identity.session_name == "repo-acme-data");  // from the subject
  CHECK(b.web_identity.duration_seconds == 0);

  const auto disco = json_of(f.openid_configuration_json);
  CHECK(disco["issuer"] == "https://proxy.example.org");
  CHECK(disco["jwks_uri"] == "https://proxy.example.org/.well-known/jwks.json");
  CHECK(disco["id_token_signing_alg_values_supported"] == nlohmann::json::array({"RS256"}));
  const auto jwks = json_of(f.jwks_json);
  REQUIRE(jwks["keys"].size() == 1);
  CHECK(jwks["keys"][0]["kid"] == "k1");
  CHECK(jwks["keys"][0]["n"] == fedtest::kRsaN);

  // Rotation: the previous key is published too; kids default to thumbprints.
  s3p::Env env = fedtest::env();
  env["OLD_KEY"] = fedtest::kRsaPem;
  std::string cfg_text = fedtest::config(R"(, "previous_signing_key_secret": "OLD_KEY")");
  REQUIRE(load_config(cfg_text, env, cfg, error));
  CHECK(json_of(cfg.federation.jwks_json)["keys"][1]["kid"] == fedtest::kRsaThumbprint);

  struct Bad { std::string federation_extra, auth_extra; s3p::Env env; const char* error; };
  s3p::Env no_l2 = fedtest::env();
  no_l2.erase("L2_KEY");
  s3p::Env short_l2 = fedtest::env();
  short_l2["L2_KEY"] = "c2hvcnQ=";
  s3p::Env ec = fedtest::env();
  ec["OIDC_KEY"] = fedtest::kEcPem;
  const Bad bad[] = {
      {R"(, "issuer": "http://proxy.example.org")", "", fedtest::env(), "federation.issuer: must be https"},
      {R"(, "issuer": "proxy.example.org")", "", fedtest::env(), "federation.issuer: must be an https:// URL"},
      {R"(, "sts_endpoint": "https://sts.example.org/?x=1")", "", fedtest::env(), "federation.sts_endpoint:"},
      {R"(, "sts_endpoint": "https://sts\u007fexample.org")", "", fedtest::env(), "federation.sts_endpoint: must be printable ASCII"},
      {R"(, "issuer": "https://proxy.ex\u0001ample.org")", "", fedtest::env(), "federation.issuer: must be printable ASCII"},
      {R"(, "issuer": "https://proxy.exämple.org")", "", fedtest::env(), "federation.issuer: must be printable ASCII"},
      {R"(, "sts_timeout_ms": 0)", "", fedtest::env(), "federation.sts_timeout_ms: must be an integer in 1..120000"},
      {R"(, "token_lifetime_seconds": 86400)", "", fedtest::env(), "federation.token_lifetime_seconds:"},
      {R"(, "previous_kid": "old")", "", fedtest::env(), "federation.previous_kid: needs previous_signing_key_secret"},
      {"", "", no_l2, "federation.l2_key_secret: Worker secret \"L2_KEY\" is not set"},
      {"", "", short_l2, "federation.l2_key_secret: Worker secret \"L2_KEY\" must be base64 of 32 bytes"},
      {"", "", ec, "federation.signing_key_secret: Worker secret \"OIDC_KEY\" is not an RSA PKCS#8 private key"},
      {"", R"(, "duration_seconds": 600)", fedtest::env(), "backends.fed.auth.duration_seconds: must be an integer in 900..43200"},
      {"", R"(, "duration_seconds": 43201)", fedtest::env(), "backends.fed.auth.duration_seconds:"},
  };
  for (const Bad& c : bad) {
    INFO(c.federation_extra << c.auth_extra);
    CHECK_FALSE(load_config(fedtest::config(c.federation_extra, c.auth_extra), c.env, cfg, error));
    CHECK_THAT(error, Catch::StartsWith(c.error));
  }
  // Local issuers and STS endpoints may use http (tests, ./scripts/run).
  CHECK(load_config(fedtest::config(R"(, "issuer": "http://127.0.0.1:8787", "sts_endpoint": "http://localhost:9000")"),
                    fedtest::env(), cfg, error));
  CHECK(cfg.federation.sts_url == "http://localhost:9000/");

  std::string bad_arn = fedtest::config();
  bad_arn.replace(bad_arn.find("role/data/reader"), 16, "user/reader");
  CHECK_FALSE(load_config(bad_arn, fedtest::env(), cfg, error));
  CHECK(error == "backends.fed.auth.role_arn: resource must be role/[path/]NAME");

  std::string no_fed = fedtest::config();
  no_fed.erase(no_fed.find("\"federation\""), no_fed.find("\"backends\"") - no_fed.find("\"federation\""));
  CHECK_FALSE(load_config(no_fed, fedtest::env(), cfg, error));
  CHECK(error == "backends.fed.auth.type: web_identity needs a \"federation\" section");
}
