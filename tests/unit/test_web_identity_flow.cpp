// AssumeRoleWithWebIdentity through the Engine (sts/web_identity.h): the host's JWKS fetch, signature check
// (VerifySignature), seal and colo cache are stood in for, the rest is the core's: the answer document, every
// refusal's code with no backend request, the JWKS fetched once for concurrent cold calls, the unknown-kid
// refetch rate limit, the colo tier, sessions used on S3 requests and revoked through the role, registry entries
// for roles and identity providers (v1/idp/NAME).
#include <catch2/catch.hpp>

#include <map>

#include "tests/unit/engine_fixture.h"
#include "worker/config/registry_settings.h"
#include "worker/crypto/base64.h"
#include "worker/crypto/sha256.h"
#include "worker/sign/sigv4.h"

using namespace s3p;

namespace {

constexpr double kNow = 1800000000000.0;
constexpr int64_t kNowS = 1800000000;
const std::string kSessionKey(32, 'k');
constexpr const char* kRegistryKey = "registry deployment key, 32+ bytes long";
const std::string kJwksUrl = "https://idp.example/.well-known/jwks.json";

std::string b64n(size_t n, char c) { return b64::encode_url(std::string(n, c)); }
// Two signing keys the provider publishes (their JWKs as the core normalises them), and one it does not.
const std::string kJwkR1 = R"({"kty":"RSA","n":")" + b64n(256, 'a') + R"(","e":"AQAB"})";
const std::string kJwkE1 = R"({"kty":"EC","crv":"P-256","x":")" + b64n(32, 'x') + R"(","y":")" + b64n(32, 'y') + R"("})";
const std::string kJwkR2 = R"({"kty":"RSA","n":")" + b64n(256, 'b') + R"(","e":"AQAB"})";

std::string with_kid(const std::string& jwk, const std::string& kid) {
  return jwk.substr(0, jwk.size() - 1) + R"(,"kid":")" + kid + R"(","use":"sig"})";
}
std::string jwks(bool with_r2 = false) {
  return R"({"keys":[)" + with_kid(kJwkR1, "r1") + "," + with_kid(kJwkE1, "e1") +
         (with_r2 ? "," + with_kid(kJwkR2, "r2") : "") + "]}";
}

// The stand-in signature: a hash of (key, signing input), as long as the alg's.
std::string fake_sig(const std::string& jwk, const std::string& input, size_t len) {
  const crypto::Digest d = crypto::sha256(jwk + "\n" + input);
  std::string s;
  while (s.size() < len) s.append(reinterpret_cast<const char*>(d.data()), d.size());
  return s.substr(0, len);
}

struct Claims {
  std::string iss = "https://idp.example", sub = "repo:org/app:ref:refs/heads/main", aud = "\"sts.amazonaws.com\"";
  std::string ref = "refs/heads/main";
  int64_t exp = kNowS + 600, nbf = kNowS - 10;
};

std::string mint(const Claims& c = {}, const std::string& kid = "r1", const std::string& alg = "RS256",
                 const std::string* key = nullptr) {
  const std::string header = R"({"alg":")" + alg + R"(","kid":")" + kid + R"("})";
  const std::string payload = R"({"iss":")" + c.iss + R"(","sub":")" + c.sub + R"(","aud":)" + c.aud +
                              R"(,"ref":")" + c.ref + R"(","repository":"org/app","exp":)" + std::to_string(c.exp) +
                              R"(,"nbf":)" + std::to_string(c.nbf) + R"(,"iat":)" + std::to_string(kNowS - 10) + "}";
  const std::string input = b64::encode_url(header) + "." + b64::encode_url(payload);
  const std::string& jwk = key ? *key : (kid == "e1" ? kJwkE1 : kid == "r2" ? kJwkR2 : kJwkR1);
  return input + "." + b64::encode_url(fake_sig(jwk, input, alg == "ES256" ? 64 : 256));
}

std::string config(const std::string& role_extra = "", const std::string& registry = "") {
  return R"({)" + registry + R"("backends": {"main": {"endpoint": "http://127.0.0.1:9000", "bucket": "bk"}},
    "accounts": {"acct": {"repositories": {
        "data": {"backend": "main", "prefix": "d/", "cache": {"enabled": false}},
        "other": {"backend": "main", "prefix": "o/", "cache": {"enabled": false}}}}},
    "access_keys": {"AKIDNOBODY000001": {"secret_access_key_secret": "NB_SECRET", "scopes": [{"account": "acct", "repository": "*", "actions": ["read"]}]}},
    "sts": {"session_key_secret": "STS_KEY", "identity_providers": {"gha": {"issuer": "https://idp.example",
        "audiences": ["sts.amazonaws.com"], "jwks_url": ")" + kJwksUrl + R"("}}},
    "roles": {"ci": {"scopes": [{"account": "acct", "repository": "data", "actions": ["read", "list"]}],
                     "max_session_s": 7200,
                     "web_identity": {"provider": "gha", "conditions": {"sub": "repo:org/*", "ref": "refs/heads/main"}})" +
         role_extra + R"(}}})";
}

std::string fake_tag(const std::string& aad, const std::string& pt) {
  const crypto::Digest d = crypto::sha256(kSessionKey + "\n" + aad + "\n" + pt);
  return std::string(reinterpret_cast<const char*>(d.data()), 16);
}

struct Host {
  Engine engine;
  sigv4::SigningKeyCache keys;
  int jwks_fetches = 0, backend_fetches = 0, verifies = 0, colo_puts = 0, colo_hits = 0, registry_reads = 0;
  std::string jwks_doc = jwks();
  uint32_t jwks_status = 200;
  std::map<std::string, std::string> colo, registry;
  std::vector<uint32_t> begun;
  std::string role = "ci";
  explicit Host(const std::string& cfg = config()) {
    REQUIRE(engine.init(cfg, {{"STS_KEY", b64::encode(kSessionKey)}, {"REG_KEY", kRegistryKey}, {"NB_SECRET", "nb"}}, enginetest::kSeed));
    INFO(engine.config_error());
    REQUIRE(engine.configured());
  }
  ~Host() {
    for (uint32_t id : begun) engine.release(id);
  }
  uint32_t begin_web(const std::string& token, const std::string& extra = "", double now_ms = kNow) {
    const std::string form = "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3As3-edge-proxy%3Arole%2F" + role +
                             "&RoleSessionName=gha-run-1&WebIdentityToken=" + token + extra;
    RequestHead head;
    head.method = "POST";
    head.path = "/.sts";
    head.headers = {{"host", "proxy"}, {"content-type", "application/x-www-form-urlencoded"}};
    head.has_body = true;
    head.random = 3;
    const uint32_t id = engine.begin(std::move(head), now_ms);
    begun.push_back(id);
    Action a = engine.next(id, now_ms);
    REQUIRE(a.kind == ActionKind::ReadBody);
    Result r;
    r.kind = ActionKind::ReadBody;
    r.flag = true;
    r.data = form;
    engine.feed(id, std::move(r), now_ms);
    return id;
  }
  uint32_t begin_s3(const std::string& path, const std::string& id, const std::string& secret, const std::string& token,
                    double now_ms = kNow) {
    std::vector<sigv4::Header> h{{"host", "proxy"}, {"x-amz-content-sha256", std::string(sigv4::kEmptyPayloadHash)},
                                 {"x-amz-security-token", token}};
    sigv4::sign_request("GET", path, "", h, sigv4::kEmptyPayloadHash, {id, secret, ""}, "us-east-1", "s3",
                        static_cast<int64_t>(now_ms / 1000), keys);
    RequestHead head;
    head.method = "GET";
    head.path = path;
    for (auto& x : h) head.headers.push_back({x.name, x.value});
    head.random = 11;
    begun.push_back(engine.begin(std::move(head), now_ms));
    return begun.back();
  }
  // Performs host primitives (and the JWKS fetch) until another action: Respond, Wait, a backend Fetch.
  Action run(uint32_t id, double now_ms = kNow) {
    for (;;) {
      Action a = engine.next(id, now_ms);
      Result r;
      r.kind = a.kind;
      if (a.kind == ActionKind::Random) {
        r.flag = true;
        for (uint32_t i = 0; i < a.number; ++i) r.data += static_cast<char>(i * 37 + id * 101 + 5);
      } else if (a.kind == ActionKind::Seal) {
        r.flag = true;
        r.data = "IVIVIVIVIVIV" + a.call.data + fake_tag(a.call.aad, a.call.data);
      } else if (a.kind == ActionKind::Open) {
        const std::string& s = a.call.data;
        if (s.size() >= 28) r.data = s.substr(12, s.size() - 28);
        r.flag = s.size() >= 28 && s.substr(s.size() - 16) == fake_tag(a.call.aad, r.data);
      } else if (a.kind == ActionKind::VerifySignature) {
        ++verifies;
        const size_t len = a.call.name == "ES256" ? 64 : 256;
        r.flag = a.call.signature == fake_sig(a.call.aad, a.call.data, len);
      } else if (a.kind == ActionKind::CacheMatch) {
        auto it = colo.find(a.call.name);
        r.flag = it != colo.end();
        if (r.flag) ++colo_hits, r.data = it->second;
      } else if (a.kind == ActionKind::RegistryGet) {
        ++registry_reads;
        r.flag = true;
        if (auto it = registry.find(a.call.name); it != registry.end()) r.data = seal_entry(kRegistryKey, it->first, it->second);
      } else if (a.kind == ActionKind::Fetch && a.fetch.url == kJwksUrl) {
        ++jwks_fetches;
        r.fetch.status = jwks_status;
        r.fetch.body = jwks_doc;
      } else {
        if (a.kind == ActionKind::Fetch) ++backend_fetches;
        return a;
      }
      engine.feed(id, std::move(r), now_ms);
    }
  }
  // Runs a request's background tasks (colo writes) to their end.
  void run_background(const Action& respond, double now_ms = kNow) {
    for (uint32_t t : respond.respond.background) {
      for (;;) {
        Action a = engine.next(t, now_ms);
        if (a.kind != ActionKind::CachePut) break;
        ++colo_puts;
        colo[a.call.name] = a.call.data;
        Result r;
        r.kind = ActionKind::CachePut;
        r.flag = true;
        engine.feed(t, std::move(r), now_ms);
      }
      engine.release(t);
    }
  }
  Action web(const std::string& token, const std::string& extra = "", double now_ms = kNow) {
    Action a = run(begin_web(token, extra, now_ms), now_ms);
    REQUIRE(a.kind == ActionKind::Respond);
    run_background(a, now_ms);
    return a;
  }
};

std::string code_of(const Action& a) { return enginetest::element(a.respond.body.bytes, "Code"); }

}  // namespace

TEST_CASE("AssumeRoleWithWebIdentity: a good token mints a session in STS's answer shape", "[webid]") {
  Host h;
  const Action a = h.web(mint());
  INFO(a.respond.body.bytes);
  REQUIRE(a.respond.status == 200);
  const std::string& x = a.respond.body.bytes;
  CHECK(x.find("<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">") == 0);
  CHECK(enginetest::element(x, "SubjectFromWebIdentityToken") == "repo:org/app:ref:refs/heads/main");
  CHECK(enginetest::element(x, "Arn") == "arn:aws:sts::s3-edge-proxy:assumed-role/ci/gha-run-1");
  CHECK(enginetest::element(x, "Provider") == "https://idp.example");
  CHECK(enginetest::element(x, "Audience") == "sts.amazonaws.com");
  CHECK(enginetest::element(x, "AccessKeyId").substr(0, 4) == "ASIA");
  CHECK(enginetest::element(x, "SessionToken").substr(0, 4) == "S3P1");
  CHECK(enginetest::element(x, "Expiration") == "2027-01-15T09:00:00Z");  // the default hour
  CHECK(h.jwks_fetches == 1);
  CHECK(h.verifies == 1);
  CHECK(h.backend_fetches == 0);
  CHECK(a.respond.log_line.find("\"subject\":\"repo:org/app:ref:refs/heads/main\"") != std::string::npos);
  CHECK(a.respond.log_line.find("\"provider\":\"gha\"") != std::string::npos);
  CHECK(a.respond.log_line.find(mint().substr(0, 40)) == std::string::npos);  // never the token
  // ES256 with the EC key, and a second call from the isolate's keys (no fetch).
  const Action b = h.web(mint({}, "e1", "ES256"));
  CHECK(b.respond.status == 200);
  CHECK(h.jwks_fetches == 1);
  CHECK(b.respond.log_line.find("\"jwks\":\"isolate\"") != std::string::npos);
}

TEST_CASE("AssumeRoleWithWebIdentity: the negative matrix, exact codes, no backend request", "[webid]") {
  Host h;
  auto refused = [&](const std::string& token, const std::string& extra = "") {
    const Action a = h.web(token, extra);
    INFO(a.respond.body.bytes);
    CHECK(a.respond.status != 200);
    return std::to_string(a.respond.status) + " " + code_of(a);
  };
  Claims expired;
  expired.exp = kNowS - 120;
  CHECK(refused(mint(expired)) == "400 ExpiredTokenException");
  Claims future;
  future.nbf = kNowS + 600;
  CHECK(refused(mint(future)) == "400 InvalidIdentityToken");
  Claims aud;
  aud.aud = "[\"someone-else\"]";
  CHECK(refused(mint(aud)) == "400 InvalidIdentityToken");
  Claims iss;
  iss.iss = "https://evil.example";
  CHECK(refused(mint(iss)) == "400 InvalidIdentityToken");
  CHECK(h.jwks_fetches == 0);  // all of these before any key lookup
  std::string bad = mint();
  bad[bad.size() - 5] = bad[bad.size() - 5] == 'A' ? 'B' : 'A';
  CHECK(refused(bad) == "400 InvalidIdentityToken");
  CHECK(refused(mint({}, "r1", "none")) == "400 InvalidIdentityToken");
  CHECK(refused(mint({}, "r1", "HS256")) == "400 InvalidIdentityToken");
  CHECK(refused(mint({}, "e1", "RS256")) == "400 InvalidIdentityToken");  // an RS256 header on the EC key
  CHECK(refused(mint({}, "r2")) == "400 InvalidIdentityToken");          // unknown kid
  CHECK(refused("not.a.jwt") == "400 InvalidIdentityToken");
  Claims other_repo;
  other_repo.sub = "repo:someone/app:ref:refs/heads/main";
  CHECK(refused(mint(other_repo)) == "403 AccessDenied");
  {
    // Refused after the signature verified: its subject is logged as such; a token refused before, as claimed only.
    const Action a = h.web(mint(other_repo));
    CHECK(a.respond.log_line.find("\"subject\":\"repo:someone/app") != std::string::npos);
    Claims late;
    late.exp = kNowS - 3600;
    late.sub = "forged-subject";
    const Action b = h.web(mint(late));
    CHECK(b.respond.log_line.find("\"claimed_subject\":\"forged-subject\"") != std::string::npos);
    CHECK(b.respond.log_line.find("\"subject\"") == std::string::npos);
  }
  Claims branch;
  branch.ref = "refs/heads/feature";
  CHECK(refused(mint(branch)) == "403 AccessDenied");
  CHECK(refused(mint(), "&DurationSeconds=7201") == "400 ValidationError");
  CHECK(refused(mint(), "&Policy=%7B%7D") == "400 ValidationError");
  CHECK(refused("") == "400 MissingParameter");
  CHECK(h.backend_fetches == 0);
  CHECK(h.jwks_fetches == 1);
}

TEST_CASE("AssumeRoleWithWebIdentity: a role that is absent or trusts no provider is AccessDenied", "[webid]") {
  Host h(config(R"(}, "keys-only": {"scopes": [], "trusted_keys": ["AKIDNOBODY000001"])"));
  CHECK(h.web(mint()).respond.status == 200);
  h.role = "keys-only";
  CHECK(code_of(h.web(mint())) == "AccessDenied");
  h.role = "absent";
  CHECK(code_of(h.web(mint())) == "AccessDenied");
  h.role = "bad/name";
  CHECK(code_of(h.web(mint())) == "ValidationError");
}

TEST_CASE("AssumeRoleWithWebIdentity: 50 concurrent cold calls make one JWKS fetch", "[webid]") {
  Host h;
  std::vector<uint32_t> ids;
  for (int i = 0; i < 50; ++i) ids.push_back(h.begin_web(mint()));
  // The first leads: it stops at its fetch; the others park.
  std::vector<Action> first;
  for (uint32_t id : ids) first.push_back(h.engine.next(id, kNow));
  REQUIRE(first[0].kind == ActionKind::CacheMatch);  // the colo tier first
  for (size_t i = 1; i < ids.size(); ++i) REQUIRE(first[i].kind == ActionKind::Wait);
  Result miss;
  miss.kind = ActionKind::CacheMatch;
  h.engine.feed(ids[0], std::move(miss), kNow);
  const Action f = h.engine.next(ids[0], kNow);
  REQUIRE(f.kind == ActionKind::Fetch);
  CHECK(f.fetch.url == kJwksUrl);
  CHECK(f.fetch.timeout_ms == 5000);
  Result r;
  r.kind = ActionKind::Fetch;
  r.fetch.status = 200;
  r.fetch.body = jwks();
  h.engine.feed(ids[0], std::move(r), kNow);
  const Action done = h.run(ids[0]);
  REQUIRE(done.kind == ActionKind::Respond);
  CHECK(done.respond.status == 200);
  const std::vector<uint32_t> woken = h.engine.take_wakeups();
  CHECK(woken.size() == 49);
  for (size_t i = 1; i < ids.size(); ++i) {
    Result w;
    w.kind = ActionKind::Wait;
    w.flag = true;
    h.engine.feed(ids[i], std::move(w), kNow);
    const Action a = h.run(ids[i]);
    REQUIRE(a.kind == ActionKind::Respond);
    CHECK(a.respond.status == 200);
  }
  CHECK(h.jwks_fetches == 0);  // the leader's fetch was answered by hand above
  CHECK(h.verifies == 50);
}

TEST_CASE("AssumeRoleWithWebIdentity: an unknown kid refetches at most once a minute; the colo tier", "[webid]") {
  Host h;
  CHECK(h.web(mint()).respond.status == 200);
  CHECK(h.jwks_fetches == 1);
  CHECK(h.colo_puts == 1);  // sealed for the colo
  h.jwks_doc = jwks(true);  // the provider rotates in r2
  // Within the minute after the fetch: no refetch, refused.
  CHECK(code_of(h.web(mint({}, "r2"), "", kNow + 30000)) == "InvalidIdentityToken");
  CHECK(h.jwks_fetches == 1);
  // After it: one refetch, and r2 verifies.
  CHECK(h.web(mint({}, "r2"), "", kNow + 61000).respond.status == 200);
  CHECK(h.jwks_fetches == 2);
  // Made-up kids right after cost nothing more.
  for (int i = 0; i < 5; ++i) CHECK(code_of(h.web(mint({}, "made-up-" + std::to_string(i)), "", kNow + 62000)) == "InvalidIdentityToken");
  CHECK(h.jwks_fetches == 2);
  // Another isolate (same colo): the colo's sealed copy answers, no fetch.
  Host other;
  other.colo = h.colo;
  CHECK(other.web(mint({}, "r2"), "", kNow + 63000).respond.status == 200);
  CHECK(other.jwks_fetches == 0);
  CHECK(other.colo_hits == 1);
  // A colo entry that is not ours (not sealed by our key) is a miss, never used.
  Host third;
  for (auto& [k, v] : h.colo) third.colo[k] = "IVIVIVIVIVIV" + std::to_string(static_cast<int64_t>(kNow)) + "\n{\"keys\":[]}0123456789abcdef";
  CHECK(third.web(mint()).respond.status == 200);
  CHECK(third.jwks_fetches == 1);
}

TEST_CASE("AssumeRoleWithWebIdentity: a JWKS that cannot be fetched is IDPCommunicationError, not cached", "[webid]") {
  Host h;
  h.jwks_status = 503;
  const Action a = h.web(mint());
  CHECK(a.respond.status == 400);
  CHECK(code_of(a) == "IDPCommunicationError");
  h.jwks_doc = "<html>";
  h.jwks_status = 200;
  CHECK(code_of(h.web(mint())) == "IDPCommunicationError");
  h.jwks_doc = jwks();
  CHECK(h.web(mint()).respond.status == 200);
  CHECK(h.jwks_fetches == 3);
}

TEST_CASE("web-identity sessions authorize S3 requests within the role; revocation by role and subject", "[webid]") {
  Host h;
  const Action a = h.web(mint());
  REQUIRE(a.respond.status == 200);
  const std::string& x = a.respond.body.bytes;
  const std::string id = enginetest::element(x, "AccessKeyId"), secret = enginetest::element(x, "SecretAccessKey"),
                    token = enginetest::element(x, "SessionToken");
  Action in = h.run(h.begin_s3("/acct/data/file.txt", id, secret, token));
  REQUIRE(in.kind == ActionKind::Fetch);  // allowed: to the backend
  CHECK(in.fetch.url.find("/bk/d/file.txt") != std::string::npos);
  Action out = h.run(h.begin_s3("/acct/other/file.txt", id, secret, token));
  REQUIRE(out.kind == ActionKind::Respond);
  CHECK(out.respond.status == 403);
  CHECK(out.respond.log_line.find("\"provider\":\"gha\"") != std::string::npos);
  // One byte of the token altered: InvalidToken; after expiry: ExpiredToken. No backend request either way.
  std::string altered = token;
  altered[40] = altered[40] == 'A' ? 'B' : 'A';  // in the sealed record (the stand-in seal does not cover its IV)
  Action alt = h.run(h.begin_s3("/acct/data/file.txt", id, secret, altered));
  REQUIRE(alt.kind == ActionKind::Respond);
  CHECK(code_of(alt) == "InvalidToken");
  Action late = h.run(h.begin_s3("/acct/data/file.txt", id, secret, token, kNow + 3601000.0), kNow + 3601000.0);
  REQUIRE(late.kind == ActionKind::Respond);
  CHECK(code_of(late) == "ExpiredToken");
  // GetCallerIdentity names the role session.
  {
    std::vector<sigv4::Header> hd{{"host", "proxy"}, {"x-amz-security-token", token},
                                  {"content-type", "application/x-www-form-urlencoded"}};
    const std::string form = "Action=GetCallerIdentity&Version=2011-06-15";
    sigv4::sign_request("POST", "/.sts", "", hd, crypto::hex(crypto::sha256(form)), {id, secret, ""}, "us-east-1", "sts",
                        kNowS, h.keys);
    RequestHead head;
    head.method = "POST";
    head.path = "/.sts";
    for (auto& v : hd) head.headers.push_back({v.name, v.value});
    head.has_body = true;
    const uint32_t gid = h.engine.begin(std::move(head), kNow);
    h.begun.push_back(gid);
    REQUIRE(h.engine.next(gid, kNow).kind == ActionKind::ReadBody);
    Result r;
    r.kind = ActionKind::ReadBody;
    r.flag = true;
    r.data = form;
    h.engine.feed(gid, std::move(r), kNow);
    const Action g = h.run(gid);
    REQUIRE(g.kind == ActionKind::Respond);
    INFO(g.respond.body.bytes);
    CHECK(enginetest::element(g.respond.body.bytes, "Arn") == "arn:aws:sts::s3-edge-proxy:assumed-role/ci/gha-run-1");
  }
  // The role revokes the subject (a new config): the live session is refused, and so is a new token.
  Host revoked(config(R"(, "revoked_subjects": ["repo:org/app:ref:refs/heads/main"])"));
  Action r1 = revoked.run(revoked.begin_s3("/acct/data/file.txt", id, secret, token));
  REQUIRE(r1.kind == ActionKind::Respond);
  CHECK(code_of(r1) == "InvalidToken");
  CHECK(code_of(revoked.web(mint())) == "AccessDenied");
  CHECK(revoked.backend_fetches == 0);
}

TEST_CASE("AssumeRoleWithWebIdentity: role and identity provider from the registry, disabled role refused", "[webid]") {
  const std::string reg = R"("registry": {"key_secret": "REG_KEY", "entry_ttl_s": 60, "negative_ttl_s": 10, "stale_s": 0},)";
  const std::string cfg = R"({)" + reg + R"("backends": {"main": {"endpoint": "http://127.0.0.1:9000", "bucket": "bk"}},
    "accounts": {"acct": {"repositories": {"data": {"backend": "main", "prefix": "d/", "cache": {"enabled": false}}}}},
    "sts": {"session_key_secret": "STS_KEY"}})";
  Host h(cfg);
  h.registry["v1/idp/gha"] = R"({"issuer": "https://idp.example", "audiences": ["sts.amazonaws.com"], "jwks_url": ")" + kJwksUrl + R"("})";
  h.registry["v1/role/ci"] = R"({"scopes": [{"account": "acct", "repository": "data", "actions": ["read"]}],
     "web_identity": {"provider": "gha", "conditions": {"repository": "org/*"}}})";
  const Action a = h.web(mint());
  INFO(a.respond.body.bytes);
  CHECK(a.respond.status == 200);
  CHECK(h.registry_reads == 2);
  const std::string& x = a.respond.body.bytes;
  Action in = h.run(h.begin_s3("/acct/data/f", enginetest::element(x, "AccessKeyId"), enginetest::element(x, "SecretAccessKey"),
                               enginetest::element(x, "SessionToken")));
  CHECK(in.kind == ActionKind::Fetch);
  Host d(cfg);
  d.registry = h.registry;
  d.registry["v1/role/ci"] = R"({"scopes": [], "disabled": true, "web_identity": {"provider": "gha", "conditions": {"sub": "*"}}})";
  CHECK(code_of(d.web(mint())) == "AccessDenied");
  Host noidp(cfg);
  noidp.registry["v1/role/ci"] = h.registry["v1/role/ci"];
  CHECK(code_of(noidp.web(mint())) == "AccessDenied");
  CHECK(noidp.jwks_fetches == 0);
}
