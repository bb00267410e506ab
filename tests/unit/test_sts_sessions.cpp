// The proxy's STS (worker/sts/) and its session credentials (worker/auth/session*.h): the form's rules and every
// error code, scope intersection, the session record and token, and whole requests through the Engine — AssumeRole
// signed by a key, S3 requests signed with the session it returns (opened once, then from the isolate's LRU),
// altered and expired tokens, revocation by role or key, GetCallerIdentity, roles in the registry (v1/role/NAME).
// The host's AES-GCM is stood in for by a keyed hash seal (FakeSeal) that opens only what it sealed, under the same
// AAD: the real one is e2e's.
#include <catch2/catch.hpp>

#include <map>

#include "tests/unit/engine_fixture.h"
#include "worker/auth/session.h"
#include "worker/auth/session_cache.h"
#include "worker/config/config.h"
#include "worker/config/registry_settings.h"
#include "worker/crypto/base64.h"
#include "worker/crypto/sha256.h"
#include "worker/sign/sigv4.h"
#include "worker/sts/documents.h"
#include "worker/sts/request.h"
#include "worker/sts/sts_errors.h"

using namespace s3p;

namespace {

constexpr double kNow = 1800000000000.0;  // 2027-01-15T08:00:00Z
const std::string kSessionKey = std::string(32, 'k');

std::string sts_config(const std::string& roles_extra = "", const std::string& sts_extra = "") {
  return R"({
    "backends": {"main": {"endpoint": "http://127.0.0.1:9000", "bucket": "bk"}},
    "accounts": {"acct": {"repositories": {
        "data": {"backend": "main", "prefix": "d/", "cache": {"enabled": false}},
        "other": {"backend": "main", "prefix": "o/", "cache": {"enabled": false}}}}},
    "access_keys": {
      "AKIDPIPELINE": {"secret_access_key_secret": "PIPELINE_SECRET", "scopes": [
        {"account": "acct", "repository": "data", "actions": ["read", "list", "write"]},
        {"account": "acct", "repository": "other", "actions": ["read"]}]},
      "AKIDOTHER": {"secret_access_key_secret": "OTHER_SECRET", "scopes": [
        {"account": "acct", "repository": "*", "actions": ["read"]}]}
    },
    "sts": {"session_key_secret": "STS_KEY")" + sts_extra + R"(},
    "roles": {
      "reader": {"scopes": [{"account": "acct", "repository": "data", "prefix": "public/", "actions": ["read", "list"]}],
                 "max_session_s": 7200, "trusted_keys": ["AKIDPIPELINE"]})" + roles_extra + R"(
    }})";
}

constexpr const char* kRegistryKey = "registry deployment key, 32+ bytes long";
constexpr const char* kNonce = "0123456789abcdef-nonce";

Env sts_env() {
  return {{"PIPELINE_SECRET", "pipeline secret"}, {"OTHER_SECRET", "other secret"}, {"STS_KEY", b64::encode(kSessionKey)},
          {"REG_KEY", kRegistryKey}};
}

// The accounts and the role in S3P_CONFIG, the key that the role trusts in the registry (v1/key/AKIDREGKEY).
std::string registry_sts_config() {
  return R"({"registry": {"key_secret": "REG_KEY", "entry_ttl_s": 60, "negative_ttl_s": 10, "stale_s": 0},
    "backends": {"main": {"endpoint": "http://127.0.0.1:9000", "bucket": "bk"}},
    "accounts": {"acct": {"repositories": {"data": {"backend": "main", "prefix": "d/", "cache": {"enabled": false}}}}},
    "sts": {"session_key_secret": "STS_KEY"},
    "roles": {"reader": {"scopes": [{"account": "acct", "repository": "data", "prefix": "public/", "actions": ["read"]}],
                         "trusted_keys": ["AKIDREGKEY"]}}})";
}
std::string registry_key_entry(bool disabled) {
  return std::string(R"({"scopes": [{"account": "acct", "actions": ["read", "list"]}], "generation": 1, "nonce": ")") +
         kNonce + "\"" + (disabled ? ", \"disabled\": true" : "") + "}";
}

// The host's Seal/Open, stood in for: IV ‖ plaintext ‖ 16-byte tag over (key, aad, plaintext).
std::string fake_tag(const std::string& aad, const std::string& pt) {
  const crypto::Digest d = crypto::sha256(kSessionKey + "\n" + aad + "\n" + pt);
  return std::string(reinterpret_cast<const char*>(d.data()), 16);
}
std::string fake_seal(const std::string& aad, const std::string& pt) { return "IVIVIVIVIVIV" + pt + fake_tag(aad, pt); }
bool fake_open(const std::string& aad, const std::string& sealed, std::string& pt) {
  if (sealed.size() < 28) return false;
  pt = sealed.substr(12, sealed.size() - 28);
  return sealed.substr(sealed.size() - 16) == fake_tag(aad, pt);
}

struct Creds {
  std::string id, secret, token;
};

struct StsHost {
  Engine engine;
  sigv4::SigningKeyCache keys;
  int opens = 0, seals = 0, registry_reads = 0;
  std::map<std::string, std::string> registry;  // entry name → its text (sealed when read)
  explicit StsHost(const std::string& cfg = sts_config()) { init(cfg); }
  std::vector<uint32_t> begun;
  // A new config (the engine takes one only when idle: every request begun so far is released first).
  void init(const std::string& cfg) {
    for (uint32_t id : begun) engine.release(id);
    begun.clear();
    REQUIRE(engine.init(cfg, sts_env(), enginetest::kSeed));
    INFO(engine.config_error());
    REQUIRE(engine.configured());
  }
  // An STS call: a form POST signed for service sts by (id, secret[, token]), as botocore sends it.
  uint32_t begin_sts(const std::string& form, const Creds& by, double now_ms = kNow, const std::string& path = "/.sts/") {
    std::vector<sigv4::Header> h{{"host", "proxy"}, {"content-type", "application/x-www-form-urlencoded; charset=utf-8"}};
    if (!by.token.empty()) h.push_back({"x-amz-security-token", by.token});
    const std::string hash = crypto::hex(crypto::sha256(form));
    sigv4::sign_request("POST", path, "", h, hash, {by.id, by.secret, ""}, "us-east-1", "sts",
                        static_cast<int64_t>(now_ms / 1000), keys);
    RequestHead head;
    head.method = "POST";
    head.path = path;
    for (auto& x : h) head.headers.push_back({x.name, x.value});
    head.has_body = true;
    head.random = 9;
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
  // An S3 GET signed with session credentials (SigV4 header form).
  uint32_t begin_s3(const std::string& path, const Creds& c, double now_ms = kNow, double signed_at_ms = -1) {
    std::vector<sigv4::Header> h{{"host", "proxy"}, {"x-amz-content-sha256", std::string(sigv4::kEmptyPayloadHash)}};
    if (!c.token.empty()) h.push_back({"x-amz-security-token", c.token});
    sigv4::sign_request("GET", path, "", h, sigv4::kEmptyPayloadHash, {c.id, c.secret, ""}, "us-east-1", "s3",
                        static_cast<int64_t>((signed_at_ms < 0 ? now_ms : signed_at_ms) / 1000), keys);
    RequestHead head;
    head.method = "GET";
    head.path = path;
    for (auto& x : h) head.headers.push_back({x.name, x.value});
    head.random = 11;
    begun.push_back(engine.begin(std::move(head), now_ms));
    return begun.back();
  }
  // Drives a request through the host primitives (Random, Seal, Open) to its first other action.
  Action run(uint32_t id, double now_ms = kNow) {
    for (;;) {
      Action a = engine.next(id, now_ms);
      Result r;
      r.kind = a.kind;
      if (a.kind == ActionKind::Random) {
        r.flag = true;
        for (uint32_t i = 0; i < a.number; ++i) r.data += static_cast<char>(i * 37 + seals * 101 + 5);
      } else if (a.kind == ActionKind::Seal) {
        ++seals;
        REQUIRE(a.call.name == "STS_KEY");
        r.flag = true;
        r.data = fake_seal(a.call.aad, a.call.data);
      } else if (a.kind == ActionKind::RegistryGet) {
        ++registry_reads;
        r.flag = true;
        if (auto it = registry.find(a.call.name); it != registry.end()) r.data = seal_entry(kRegistryKey, it->first, it->second);
      } else if (a.kind == ActionKind::Open) {
        ++opens;
        REQUIRE(a.call.name == "STS_KEY");
        r.flag = fake_open(a.call.aad, a.call.data, r.data);
      } else {
        return a;
      }
      engine.feed(id, std::move(r), now_ms);
    }
  }
  Creds assume(const std::string& extra = "", const Creds& by = {"AKIDPIPELINE", "pipeline secret", ""},
               double now_ms = kNow) {
    const Action a = run(begin_sts("Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3As3-edge-proxy%3Arole%2Freader"
                                   "&RoleSessionName=job-42" + extra, by, now_ms), now_ms);
    REQUIRE(a.kind == ActionKind::Respond);
    INFO(a.respond.body.bytes);
    REQUIRE(a.respond.status == 200);
    const std::string& x = a.respond.body.bytes;
    return {enginetest::element(x, "AccessKeyId"), enginetest::element(x, "SecretAccessKey"),
            enginetest::element(x, "SessionToken")};
  }
};

std::string code_of(const Action& a) { return enginetest::element(a.respond.body.bytes, "Code"); }

std::vector<http::QueryParam> form(const std::string& text) {
  std::vector<http::QueryParam> p;
  REQUIRE(http::parse_query(text, p));
  return p;
}

std::string refusal(const std::string& text) {
  Failure f;
  sts::Call call;
  if (!sts::parse_action(form(text), call, f)) return std::string(f.error->code);
  sts::AssumeRoleCall ar;
  if (call == sts::Call::AssumeRole && !sts::parse_assume_role(form(text), ar, f))
    return std::string(f.error->code) + ": " + std::string(f.error->message);
  return "OK";
}

}  // namespace

TEST_CASE("sts: the endpoint is /.sts and /.sts/ only", "[sts]") {
  CHECK(sts::is_endpoint("/.sts"));
  CHECK(sts::is_endpoint("/.sts/"));
  CHECK_FALSE(sts::is_endpoint("/.sts/x"));
  CHECK_FALSE(sts::is_endpoint("/sts"));
  CHECK_FALSE(sts::is_endpoint("/.STS"));
}

TEST_CASE("sts: Action and Version, as STS refuses them", "[sts]") {
  CHECK(refusal("Action=GetCallerIdentity&Version=2011-06-15") == "OK");
  CHECK(refusal("Version=2011-06-15") == "MissingAction");
  CHECK(refusal("Action=&Version=2011-06-15") == "MissingAction");
  CHECK(refusal("Action=GetCallerIdentity") == "InvalidAction");
  CHECK(refusal("Action=GetCallerIdentity&Version=2012-01-01") == "InvalidAction");
  CHECK(refusal("Action=AssumeRoleWithWebIdentity&Version=2011-06-15") == "OK");  // test_web_identity_flow.cpp
  CHECK(refusal("Action=GetSessionToken&Version=2011-06-15") == "InvalidAction");
  CHECK(refusal("Action=GetCallerIdentity&Action=AssumeRole&Version=2011-06-15") == "InvalidParameterValue");
}

TEST_CASE("sts: AssumeRole's parameters, each refusal with its code", "[sts]") {
  const std::string base = "Action=AssumeRole&Version=2011-06-15";
  const std::string arn = "&RoleArn=arn:aws:iam::s3-edge-proxy:role/reader";
  CHECK(refusal(base + arn + "&RoleSessionName=job-42") == "OK");
  CHECK(refusal(base + arn + "&RoleSessionName=a.b%40c%3Dd%2Ce%2Bf_g-h") == "OK");
  CHECK(refusal(base + "&RoleSessionName=job") == "MissingParameter: The request must contain the parameter RoleArn.");
  CHECK(refusal(base + arn) == "MissingParameter: The request must contain the parameter RoleSessionName.");
  CHECK(refusal(base + "&RoleArn=arn:aws:iam::123456789012:role/reader&RoleSessionName=job").rfind("ValidationError: RoleArn", 0) == 0);
  CHECK(refusal(base + "&RoleArn=arn:aws:iam::s3-edge-proxy:role/a/b&RoleSessionName=job").rfind("ValidationError: RoleArn", 0) == 0);
  CHECK(refusal(base + "&RoleArn=arn:aws:iam::s3-edge-proxy:role/&RoleSessionName=job").rfind("ValidationError: RoleArn", 0) == 0);
  CHECK(refusal(base + arn + "&RoleSessionName=x").rfind("ValidationError: RoleSessionName", 0) == 0);
  CHECK(refusal(base + arn + "&RoleSessionName=has%20space").rfind("ValidationError: RoleSessionName", 0) == 0);
  CHECK(refusal(base + arn + "&RoleSessionName=" + std::string(65, 'a')).rfind("ValidationError: RoleSessionName", 0) == 0);
  CHECK(refusal(base + arn + "&RoleSessionName=" + std::string(64, 'a')) == "OK");
  CHECK(refusal(base + arn + "&RoleSessionName=job&DurationSeconds=abc").rfind("ValidationError: DurationSeconds must be a whole", 0) == 0);
  CHECK(refusal(base + arn + "&RoleSessionName=job&DurationSeconds=-5").rfind("ValidationError: DurationSeconds must be a whole", 0) == 0);
  CHECK(refusal(base + arn + "&RoleSessionName=job&Policy=%7B%7D").rfind("ValidationError: Session policies", 0) == 0);
  CHECK(refusal(base + arn + "&RoleSessionName=job&PolicyArns.member.1.arn=x").rfind("ValidationError: Session policies", 0) == 0);
  CHECK(refusal(base + arn + "&RoleSessionName=job&ExternalId=abc") == "OK");  // accepted, ignored
}

TEST_CASE("sts: DurationSeconds is 900..min(43200, the role's max), 3600 by default", "[sts]") {
  Role role;
  role.max_session_s = 7200;
  StsSettings settings;
  auto duration = [&](uint32_t asked) {
    sts::AssumeRoleCall call;
    call.duration_s = asked;
    uint32_t out = 0;
    Failure f;
    return sts::session_duration(call, role, settings, out, f) ? std::to_string(out) : std::string(f.error->message);
  };
  CHECK(duration(0) == "3600");
  CHECK(duration(900) == "900");
  CHECK(duration(7200) == "7200");
  CHECK(duration(899) == std::string(sts::errors::DurationTooShort.message));
  CHECK(duration(7201) == std::string(sts::errors::DurationTooLong.message));
  role.max_session_s = 1800;
  CHECK(duration(0) == "1800");  // the default never exceeds the role's maximum
  role.max_session_s = 43200;
  CHECK(duration(43200) == "43200");
  CHECK(duration(43201) == std::string(sts::errors::DurationTooLong.message));
  settings.min_session_s = 1;  // the test-only floor
  CHECK(duration(2) == "2");
}

TEST_CASE("sts: config — roles need an sts section, a 32-byte key, known keys and scopes; fields are named", "[sts]") {
  auto error = [](const std::string& cfg, Env env = sts_env()) {
    Config c;
    std::string e;
    return load_config(cfg, env, c, e) ? std::string("OK") : e;
  };
  CHECK(error(sts_config()) == "OK");
  Env short_key = sts_env();
  short_key["STS_KEY"] = b64::encode("short");
  CHECK(error(sts_config(), short_key) == "sts.session_key_secret: Worker secret \"STS_KEY\" must be base64 of 32 bytes");
  Env no_key = sts_env();
  no_key.erase("STS_KEY");
  CHECK(error(sts_config(), no_key) == "sts.session_key_secret: Worker secret \"STS_KEY\" is not set");
  CHECK(error(sts_config(R"(, "w": {"scopes": [], "trusted_keys": ["AKIDNOBODY"]})")) ==
        "roles.w.trusted_keys: unknown access key \"AKIDNOBODY\"");
  CHECK(error(sts_config(R"(, "w": {"scopes": [], "trusted_keys": []})")) ==
        "roles.w.trusted_keys: must be a non-empty array of access key ids");
  CHECK(error(sts_config(R"(, "w": {"scopes": [{"account": "nope", "actions": ["read"]}], "trusted_keys": ["AKIDOTHER"]})")) ==
        "roles.w.scopes[0].account: unknown account \"nope\"");
  CHECK(error(sts_config(R"(, "w": {"scopes": [], "trusted_keys": ["AKIDOTHER"], "max_session_s": 600})")) ==
        "roles.w.max_session_s: must be an integer in 900..43200");
  CHECK(error(sts_config(R"(, "w": {"scopes": [], "trusted_keys": ["AKIDOTHER"], "max_session_s": 2})", R"(, "test_only_min_session_s": 1)")) == "OK");
  CHECK(error(sts_config(R"(, "a/b": {"scopes": [], "trusted_keys": ["AKIDOTHER"]})")) ==
        "roles.a/b: role names are 1-64 of A-Z a-z 0-9 _ + = , . @ -");
  CHECK(error(sts_config(R"(, "w": {"scopes": [], "trusted_keys": ["AKIDOTHER"], "extra": 1})")) ==
        "roles.w.extra: is not a role field");
  CHECK(error(sts_config("", R"(, "ttl": 1)")) == "sts.ttl: is not an sts field");
  Config c;
  std::string e;
  const std::string no_sts = R"({"backends": {"main": {"endpoint": "http://127.0.0.1:9000", "bucket": "bk"}},
    "accounts": {"acct": {"repositories": {"data": {"backend": "main"}}}},
    "roles": {"r": {"scopes": [], "trusted_keys": ["X"]}}})";
  CHECK_FALSE(load_config(no_sts, {}, c, e));
  CHECK(e == "roles: need an \"sts\" section (its session_key_secret seals the sessions)");
}

TEST_CASE("sts: scope intersection grants what both grant, never more", "[sts]") {
  auto scope = [](std::string repo, std::string prefix, uint8_t perms, std::string account = "acct") {
    return Scope{std::move(account), std::move(repo), std::move(prefix), perms};
  };
  auto show = [](const std::vector<Scope>& v) {
    std::string out;
    for (const Scope& s : v) out += s.account + "/" + s.repository + "/" + s.prefix + ":" + std::to_string(s.permissions) + " ";
    return out;
  };
  // A repository within "*", the longer prefix, the common permissions.
  CHECK(show(auth::intersect_scopes({scope("*", "", kPermRead | kPermList)}, {scope("data", "team/", kPermRead | kPermWrite)})) ==
        "acct/data/team/:1 ");
  CHECK(show(auth::intersect_scopes({scope("data", "team/a/", kPermRead)}, {scope("data", "team/", kPermRead)})) ==
        "acct/data/team/a/:1 ");
  // Disjoint: other repository, other account, diverging prefixes, no common permission.
  CHECK(auth::intersect_scopes({scope("data", "", kPermRead)}, {scope("other", "", kPermRead)}).empty());
  CHECK(auth::intersect_scopes({scope("*", "", kPermRead)}, {scope("*", "", kPermRead, "elsewhere")}).empty());
  CHECK(auth::intersect_scopes({scope("data", "a/", kPermRead)}, {scope("data", "b/", kPermRead)}).empty());
  CHECK(auth::intersect_scopes({scope("data", "", kPermWrite)}, {scope("data", "", kPermRead)}).empty());
  // A union on each side: every overlapping pair.
  CHECK(show(auth::intersect_scopes({scope("data", "", kPermRead), scope("other", "", kPermRead | kPermList)},
                                    {scope("*", "x/", kPermRead | kPermList)})) == "acct/data/x/:1 acct/other/x/:3 ");
  CHECK(auth::intersect_scopes({}, {scope("*", "", 15)}).empty());
}

TEST_CASE("sts: the session record and its token", "[sts]") {
  auth::Session s;
  REQUIRE(auth::make_credentials(std::string(46, '\x07'), s.access_key_id, s.secret));
  CHECK(auth::is_session_key_id(s.access_key_id));
  CHECK(s.access_key_id.rfind("ASIA", 0) == 0);
  CHECK(s.secret.size() == 40);
  CHECK_FALSE(auth::make_credentials(std::string(45, 'x'), s.access_key_id, s.secret));
  s.role = "reader";
  s.session_name = "job-42";
  s.source_key = "AKIDPIPELINE";
  s.scopes = {Scope{"acct", "data", "p/", kPermRead}};
  s.issued_s = 100;
  s.expires_s = 1000;
  auth::Session back;
  REQUIRE(auth::parse_session_plaintext(auth::session_plaintext(s), back));
  CHECK(back.access_key_id == s.access_key_id);
  CHECK(back.secret == s.secret);
  CHECK(back.role == "reader");
  CHECK(back.session_name == "job-42");
  CHECK(back.source_key == "AKIDPIPELINE");
  CHECK(back.expires_s == 1000);
  REQUIRE(back.scopes.size() == 1);
  CHECK(back.scopes[0].prefix == "p/");
  // Anything else is no session.
  CHECK_FALSE(auth::parse_session_plaintext("{}", back));
  CHECK_FALSE(auth::parse_session_plaintext("not json", back));
  std::string text = auth::session_plaintext(s);
  text.replace(text.find("\"v\":1"), 5, "\"v\":2");
  CHECK_FALSE(auth::parse_session_plaintext(text, back));
  // The token: a prefix and base64url, bounded; the AAD names the purpose and the key id.
  const std::string token = auth::token_text(std::string(40, '\x01'));
  CHECK(token.rfind("S3P1", 0) == 0);
  std::string sealed;
  CHECK(auth::token_sealed(token, sealed));
  CHECK(sealed == std::string(40, '\x01'));
  CHECK_FALSE(auth::token_sealed("S3P1" + std::string(10, 'A'), sealed));  // shorter than IV + tag
  CHECK_FALSE(auth::token_sealed("FwoGZXIvYXdzE" + token, sealed));        // not ours
  CHECK_FALSE(auth::token_sealed("S3P1" + std::string(5000, 'A'), sealed));
  CHECK(auth::token_aad("ASIAX") != auth::token_aad("ASIAY"));
  CHECK(auth::role_arn("reader") == "arn:aws:iam::s3-edge-proxy:role/reader");
  CHECK(auth::assumed_role_arn("reader", "job") == "arn:aws:sts::s3-edge-proxy:assumed-role/reader/job");
  std::string role;
  CHECK(auth::parse_role_arn("arn:aws:iam::s3-edge-proxy:role/reader", role));
  CHECK(role == "reader");
}

TEST_CASE("sts: the isolate's opened tokens are bounded (LRU) and dropped at expiry", "[sts]") {
  enginetest::Host dummy;  // a Waker
  auth::SessionCache cache(dummy.engine);
  auto session = [](int64_t expires) {
    auto s = std::make_shared<auth::Session>();
    s->expires_s = expires;
    return s;
  };
  for (size_t i = 0; i < auth::SessionCache::kCapacity + 10; ++i) cache.store("k" + std::to_string(i), session(1000));
  CHECK(cache.size() == auth::SessionCache::kCapacity);
  CHECK(cache.find("k0", 0) == nullptr);   // the least recently used went first
  CHECK(cache.find("k10", 0) != nullptr);  // the oldest still kept
  cache.store("short", session(50));
  CHECK(cache.find("short", 49) != nullptr);
  CHECK(cache.find("short", 50) == nullptr);  // expired: dropped
  CHECK(cache.size() == auth::SessionCache::kCapacity - 1);
  CHECK(auth::SessionCache::key_of("token") == crypto::hex(crypto::sha256("token")));
}

TEST_CASE("sts: AssumeRole by a trusted key returns session credentials in STS's XML", "[sts]") {
  StsHost host;
  const Action a = host.run(host.begin_sts("Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3As3-edge-proxy%3Arole%2Freader"
                                           "&RoleSessionName=job-42&DurationSeconds=1800", {"AKIDPIPELINE", "pipeline secret", ""}));
  REQUIRE(a.kind == ActionKind::Respond);
  INFO(a.respond.body.bytes);
  CHECK(a.respond.status == 200);
  const std::string& x = a.respond.body.bytes;
  CHECK(x.rfind("<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult><Credentials>", 0) == 0);
  CHECK(auth::is_session_key_id(enginetest::element(x, "AccessKeyId")));
  CHECK(enginetest::element(x, "SecretAccessKey").size() == 40);
  CHECK(enginetest::element(x, "SessionToken").rfind("S3P1", 0) == 0);
  CHECK(enginetest::element(x, "Expiration") == "2027-01-15T08:30:00Z");
  CHECK(enginetest::element(x, "Arn") == "arn:aws:sts::s3-edge-proxy:assumed-role/reader/job-42");
  CHECK(enginetest::element(x, "AssumedRoleId").find(":job-42") != std::string::npos);
  CHECK(host.seals == 1);
  // The log names the role and session, never the secret or the token.
  const std::string& log = a.respond.log_line;
  CHECK(log.find("\"op\":\"StsAssumeRole\"") != std::string::npos);
  CHECK(log.find("\"assumed_role\":\"reader\"") != std::string::npos);
  CHECK(log.find(enginetest::element(x, "SecretAccessKey")) == std::string::npos);
  CHECK(log.find(enginetest::element(x, "SessionToken")) == std::string::npos);
  // The sealed record is bound to its key id: the plaintext asked to be sealed holds the secret, never the log.
}

TEST_CASE("sts: AssumeRole refusals — untrusted key, unknown role, duration, unsigned, bad signature, chaining", "[sts]") {
  StsHost host(sts_config(R"(, "short": {"scopes": [], "max_session_s": 900, "trusted_keys": ["AKIDPIPELINE"]})"));
  const Creds pipeline{"AKIDPIPELINE", "pipeline secret", ""};
  auto call = [&](const std::string& role, const Creds& by, const std::string& extra = "") {
    return host.run(host.begin_sts("Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::s3-edge-proxy:role/" + role +
                                   "&RoleSessionName=job" + extra, by));
  };
  Action a = call("reader", {"AKIDOTHER", "other secret", ""});  // a key the role does not trust
  CHECK(a.respond.status == 403);
  CHECK(code_of(a) == "AccessDenied");
  CHECK(a.respond.body.bytes.find("<Type>Sender</Type>") != std::string::npos);
  CHECK(host.seals == 0);
  a = call("nosuchrole", pipeline);
  CHECK(a.respond.status == 403);
  CHECK(code_of(a) == "AccessDenied");
  a = call("short", pipeline, "&DurationSeconds=901");
  CHECK(a.respond.status == 400);
  CHECK(code_of(a) == "ValidationError");
  a = call("reader", {"AKIDPIPELINE", "wrong secret", ""});
  CHECK(a.respond.status == 403);
  CHECK(code_of(a) == "SignatureDoesNotMatch");
  a = call("reader", {"AKIDNOBODY", "x", ""});
  CHECK(a.respond.status == 403);
  CHECK(code_of(a) == "InvalidClientTokenId");
  // Unsigned.
  RequestHead head;
  head.method = "GET";
  head.path = "/.sts";
  head.query = "Action=GetCallerIdentity&Version=2011-06-15";
  head.headers = {{"host", "proxy"}};
  uint32_t id = host.engine.begin(std::move(head), kNow);
  a = host.run(id);
  CHECK(a.respond.status == 403);
  CHECK(code_of(a) == "MissingAuthenticationToken");
  // A session cannot assume a role (no chaining).
  const Creds session = host.assume();
  a = call("reader", session);
  CHECK(a.respond.status == 403);
  CHECK(code_of(a) == "AccessDenied");
  CHECK(a.respond.body.bytes.find("cannot assume a role") != std::string::npos);
  // A signature from long ago.
  a = host.run(host.begin_sts("Action=GetCallerIdentity&Version=2011-06-15", pipeline, kNow), kNow + 16 * 60 * 1000);
  CHECK(code_of(a) == "SignatureDoesNotMatch");
  // Not POST or GET.
  RequestHead put;
  put.method = "PUT";
  put.path = "/.sts";
  put.headers = {{"host", "proxy"}};
  a = host.run(host.engine.begin(std::move(put), kNow));
  CHECK(a.respond.status == 405);
}

TEST_CASE("sts: session credentials read within the role ∩ key scopes, refused outside; opened once per isolate", "[sts]") {
  StsHost host;
  const Creds s = host.assume();
  Action a = host.run(host.begin_s3("/acct/data/public/file", s));
  REQUIRE(a.kind == ActionKind::Fetch);  // within reader's scope (data, public/, read)
  CHECK(a.fetch.url == "http://127.0.0.1:9000/bk/d/public/file");
  CHECK(host.opens == 1);
  a = host.run(host.begin_s3("/acct/data/public/other", s));
  CHECK(a.kind == ActionKind::Fetch);
  CHECK(host.opens == 1);  // the isolate's LRU answered
  // Outside: another prefix of the repository, another repository (the key may, the role may not), a write.
  for (const std::string path : {"/acct/data/private/file", "/acct/other/file"}) {
    a = host.run(host.begin_s3(path, s));
    REQUIRE(a.kind == ActionKind::Respond);
    CHECK(a.respond.status == 403);
    CHECK(code_of(a) == "AccessDenied");
    CHECK(a.respond.log_line.find("\"role\":\"reader\",\"session\":\"job-42\"") != std::string::npos);
    CHECK(a.respond.log_line.find(s.token) == std::string::npos);
    CHECK(a.respond.log_line.find(s.secret) == std::string::npos);
  }
}

TEST_CASE("sts: concurrent first uses of one token make one Open", "[sts]") {
  StsHost host;
  const Creds s = host.assume();
  const uint32_t first = host.begin_s3("/acct/data/public/a", s), second = host.begin_s3("/acct/data/public/b", s);
  Action a1 = host.engine.next(first, kNow);
  REQUIRE(a1.kind == ActionKind::Open);
  CHECK(host.engine.next(second, kNow).kind == ActionKind::Wait);
  Result r;
  r.kind = ActionKind::Open;
  r.flag = fake_open(a1.call.aad, a1.call.data, r.data);
  host.engine.feed(first, std::move(r), kNow);
  CHECK(host.engine.next(first, kNow).kind == ActionKind::Fetch);
  const std::vector<uint32_t> woken = host.engine.take_wakeups();
  REQUIRE(woken == std::vector<uint32_t>{second});
  Result w;
  w.kind = ActionKind::Wait;
  w.flag = true;
  host.engine.feed(second, std::move(w), kNow);
  CHECK(host.engine.next(second, kNow).kind == ActionKind::Fetch);
}

TEST_CASE("sts: altered, foreign, mismatched and expired tokens are S3's InvalidToken / ExpiredToken", "[sts]") {
  StsHost host;
  const Creds s = host.assume("&DurationSeconds=900");
  auto refused = [&](const Creds& c, double now_ms = kNow, double signed_at = -1) {
    const Action a = host.run(host.begin_s3("/acct/data/public/file", c, now_ms, signed_at), now_ms);
    REQUIRE(a.kind == ActionKind::Respond);
    return std::to_string(a.respond.status) + " " + code_of(a);
  };
  // One byte altered (in the sealed part: the seal does not open).
  Creds altered = s;
  altered.token[30] = altered.token[30] == 'A' ? 'B' : 'A';
  CHECK(refused(altered) == "400 InvalidToken");
  // Not in our form at all (AWS's own, from a caller's environment): an unknown key, as without an STS
  // (test_foreign_session_tokens.cpp: served as anonymous under unknown_keys_as_anonymous).
  Creds foreign = s;
  foreign.token = "FwoGZXIvYXdzEBYaDK" + std::string(100, 'x');
  CHECK(refused(foreign) == "403 InvalidAccessKeyId");
  // The token with another key id in the signature (even a real key's, with its secret).
  Creds other{"AKIDPIPELINE", "pipeline secret", s.token};
  CHECK(refused(other) == "400 InvalidToken");
  // Used after expiry (signed at that time too), whether it was opened before or not.
  CHECK(refused(s, kNow + 901 * 1000.0) == "400 ExpiredToken");
  host.run(host.begin_s3("/acct/data/public/file", s));  // opened and cached while valid
  CHECK(refused(s, kNow + 901 * 1000.0) == "400 ExpiredToken");
  // The right token without a signature's key id: refused.
  RequestHead head;
  head.method = "GET";
  head.path = "/acct/data/public/file";
  head.headers = {{"host", "proxy"}, {"x-amz-security-token", s.token}};
  const Action a = host.run(host.engine.begin(std::move(head), kNow));
  CHECK(code_of(a) == "InvalidToken");
}

TEST_CASE("sts: revoking the role, or the source key, or its trust ends the sessions at once", "[sts]") {
  StsHost host;
  const Creds s = host.assume();
  CHECK(host.run(host.begin_s3("/acct/data/public/file", s)).kind == ActionKind::Fetch);
  // The role gone.
  std::string no_role = sts_config();
  no_role.replace(no_role.find("\"reader\""), 8, "\"renamed\"");
  host.init(no_role);
  Action a = host.run(host.begin_s3("/acct/data/public/file", s));
  CHECK(code_of(a) == "InvalidToken");
  CHECK(a.respond.log_line.find("no longer exists") != std::string::npos);
  // The role no longer trusting the key.
  std::string untrusted = sts_config();
  untrusted.replace(untrusted.find("\"trusted_keys\": [\"AKIDPIPELINE\"]"), 32, "\"trusted_keys\": [\"AKIDOTHER\"]   ");
  host.init(untrusted);
  a = host.run(host.begin_s3("/acct/data/public/file", s));
  CHECK(code_of(a) == "InvalidToken");
  // The source key narrowed: the session narrows with it (its scopes are intersected per request).
  std::string narrowed = sts_config();
  narrowed.replace(narrowed.find(R"({"account": "acct", "repository": "data", "actions": ["read", "list", "write"]})"),
                   79, R"({"account": "acct", "repository": "data", "prefix": "x/", "actions": ["read"]})");
  host.init(narrowed);
  a = host.run(host.begin_s3("/acct/data/public/file", s));
  CHECK(code_of(a) == "AccessDenied");
}

TEST_CASE("sts: GetCallerIdentity names the key, or the role session", "[sts]") {
  StsHost host;
  Action a = host.run(host.begin_sts("Action=GetCallerIdentity&Version=2011-06-15", {"AKIDPIPELINE", "pipeline secret", ""}));
  REQUIRE(a.respond.status == 200);
  CHECK(enginetest::element(a.respond.body.bytes, "Arn") == "arn:aws:iam::s3-edge-proxy:user/AKIDPIPELINE");
  CHECK(enginetest::element(a.respond.body.bytes, "UserId") == "AKIDPIPELINE");
  CHECK(enginetest::element(a.respond.body.bytes, "Account") == "s3-edge-proxy");
  const Creds s = host.assume();
  a = host.run(host.begin_sts("Action=GetCallerIdentity&Version=2011-06-15", s, kNow, "/.sts"));
  INFO(a.respond.body.bytes);
  REQUIRE(a.respond.status == 200);
  CHECK(enginetest::element(a.respond.body.bytes, "Arn") == "arn:aws:sts::s3-edge-proxy:assumed-role/reader/job-42");
  CHECK(enginetest::element(a.respond.body.bytes, "UserId").find(":job-42") != std::string::npos);
  CHECK(a.respond.log_line.find("\"role\":\"reader\"") != std::string::npos);
  // An expired session: STS's ExpiredToken.
  a = host.run(host.begin_sts("Action=GetCallerIdentity&Version=2011-06-15", s, kNow + 3601 * 1000.0), kNow + 3601 * 1000.0);
  CHECK(a.respond.status == 400);
  CHECK(code_of(a) == "ExpiredToken");
}

TEST_CASE("sts: the error document is STS's", "[sts]") {
  const std::string x = sts::error_document(sts::errors::NotAuthorized, "RID");
  CHECK(x == "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
             "<Code>AccessDenied</Code><Message>The caller is not authorized to perform sts:AssumeRole on this role."
             "</Message></Error><RequestId>RID</RequestId></ErrorResponse>");
  CHECK(sts::error_document(sts::errors::InternalFailure, "R").find("<Type>Receiver</Type>") != std::string::npos);
}

TEST_CASE("sts: a registry key assumes a role; disabling it in the registry ends its sessions within the entry TTL",
          "[sts]") {
  StsHost host(registry_sts_config());
  host.registry["v1/key/AKIDREGKEY"] = registry_key_entry(false);
  const Creds reg{"AKIDREGKEY", derive_key_secret(kRegistryKey, "AKIDREGKEY", 1, kNonce), ""};
  Action a = host.run(host.begin_sts("Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::s3-edge-proxy:role/reader"
                                     "&RoleSessionName=reg-job", reg));
  INFO(a.respond.body.bytes);
  REQUIRE(a.respond.status == 200);
  CHECK(host.registry_reads == 1);  // the signing key, from the registry
  const Creds s{enginetest::element(a.respond.body.bytes, "AccessKeyId"),
                enginetest::element(a.respond.body.bytes, "SecretAccessKey"),
                enginetest::element(a.respond.body.bytes, "SessionToken")};
  // The session reads within role ∩ key; its source key comes from the isolate's registry tier within the TTL.
  a = host.run(host.begin_s3("/acct/data/public/f", s));
  CHECK(a.kind == ActionKind::Fetch);
  CHECK(host.registry_reads == 1);
  a = host.run(host.begin_s3("/acct/data/other/f", s));
  CHECK(code_of(a) == "AccessDenied");
  // Disabled in the registry: past the entry TTL the key is read again, and its session is refused.
  host.registry["v1/key/AKIDREGKEY"] = registry_key_entry(true);
  a = host.run(host.begin_s3("/acct/data/public/f", s, kNow + 61000), kNow + 61000);
  CHECK(host.registry_reads == 2);
  CHECK(a.respond.status == 400);
  CHECK(code_of(a) == "InvalidToken");
  CHECK(a.respond.log_line.find("source key is unknown, disabled or expired") != std::string::npos);
  // Removed altogether: the same.
  host.registry.erase("v1/key/AKIDREGKEY");
  a = host.run(host.begin_s3("/acct/data/public/f", s, kNow + 122000), kNow + 122000);
  CHECK(code_of(a) == "InvalidToken");
}

// Roles in the registry (v1/role/NAME): the key and the role from the registry, the role static wins over.
namespace {

std::string registry_roles_config() {
  return R"({"registry": {"key_secret": "REG_KEY", "entry_ttl_s": 60, "negative_ttl_s": 10, "stale_s": 0},
    "backends": {"main": {"endpoint": "http://127.0.0.1:9000", "bucket": "bk"}},
    "accounts": {"acct": {"repositories": {"data": {"backend": "main", "prefix": "d/", "cache": {"enabled": false}}}}},
    "sts": {"session_key_secret": "STS_KEY"},
    "roles": {"reader": {"scopes": [{"account": "acct", "repository": "data", "prefix": "public/", "actions": ["read"]}],
                         "trusted_keys": ["AKIDREGKEY"]}}})";
}
std::string registry_role_entry(const std::string& extra = "", const std::string& trusted = "AKIDREGKEY") {
  return R"({"scopes": [{"account": "acct", "repository": "data", "prefix": "reg/", "actions": ["read"]}],
             "max_session_s": 3600, "trusted_keys": [")" + trusted + "\"]" + extra + "}";
}
Creds reg_key() { return {"AKIDREGKEY", derive_key_secret(kRegistryKey, "AKIDREGKEY", 1, kNonce), ""}; }
std::string assume_form(const std::string& role) {
  return "Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::s3-edge-proxy:role/" + role + "&RoleSessionName=reg-job";
}
Creds creds_of(const Action& a) {
  return {enginetest::element(a.respond.body.bytes, "AccessKeyId"),
          enginetest::element(a.respond.body.bytes, "SecretAccessKey"),
          enginetest::element(a.respond.body.bytes, "SessionToken")};
}

}  // namespace

TEST_CASE("sts: a registry role is assumed; disabled, it is refused and its sessions end within the entry TTL",
          "[sts][registry]") {
  StsHost host(registry_roles_config());
  host.registry["v1/key/AKIDREGKEY"] = registry_key_entry(false);
  host.registry["v1/role/regrole"] = registry_role_entry();
  Action a = host.run(host.begin_sts(assume_form("regrole"), reg_key()));
  INFO(a.respond.body.bytes);
  REQUIRE(a.respond.status == 200);
  CHECK(host.registry_reads == 2);  // the signing key and the role, in one registry phase
  CHECK(enginetest::element(a.respond.body.bytes, "Arn") == "arn:aws:sts::s3-edge-proxy:assumed-role/regrole/reg-job");
  const Creds s = creds_of(a);
  // The session: role ∩ key; its role and source key from the isolate's tier within the TTL.
  CHECK(host.run(host.begin_s3("/acct/data/reg/f", s)).kind == ActionKind::Fetch);
  CHECK(code_of(host.run(host.begin_s3("/acct/data/public/f", s))) == "AccessDenied");
  a = host.run(host.begin_sts("Action=GetCallerIdentity&Version=2011-06-15", s));
  CHECK(a.respond.status == 200);
  CHECK(host.registry_reads == 2);
  // Disabled in the registry: within the TTL the cached entry still serves; past it, refused both ways.
  host.registry["v1/role/regrole"] = registry_role_entry(", \"disabled\": true");
  CHECK(host.run(host.begin_s3("/acct/data/reg/f", s, kNow + 30000), kNow + 30000).kind == ActionKind::Fetch);
  const double later = kNow + 61000;
  a = host.run(host.begin_s3("/acct/data/reg/f", s, later), later);
  CHECK(a.respond.status == 400);
  CHECK(code_of(a) == "InvalidToken");
  CHECK(a.respond.log_line.find("no longer exists or is disabled") != std::string::npos);
  a = host.run(host.begin_sts(assume_form("regrole"), reg_key(), later), later);
  CHECK(a.respond.status == 403);
  CHECK(code_of(a) == "AccessDenied");
  // Enabled again, but no longer trusting the key: refused too, after the TTL.
  host.registry["v1/role/regrole"] = registry_role_entry("", "AKIDSOMEONEELSE");
  const double later2 = kNow + 122000;
  CHECK(code_of(host.run(host.begin_s3("/acct/data/reg/f", s, later2), later2)) == "InvalidToken");
  CHECK(code_of(host.run(host.begin_sts(assume_form("regrole"), reg_key(), later2), later2)) == "AccessDenied");
  // Removed: as unknown (cached as absent for the negative TTL).
  host.registry.erase("v1/role/regrole");
  const double later3 = kNow + 183000;
  CHECK(code_of(host.run(host.begin_s3("/acct/data/reg/f", s, later3), later3)) == "InvalidToken");
}

TEST_CASE("sts: a malformed registry role fails only its own requests (503, the field named)", "[sts][registry]") {
  StsHost host(registry_roles_config());
  host.registry["v1/key/AKIDREGKEY"] = registry_key_entry(false);
  host.registry["v1/role/regrole"] = registry_role_entry();
  host.registry["v1/role/broken"] = R"({"scopes": [], "trusted_keys": ["AKIDREGKEY"], "max_session_s": 5})";
  host.registry["v1/role/typo"] = R"({"scopes": [], "trusted_key": ["AKIDREGKEY"]})";
  Action a = host.run(host.begin_sts(assume_form("broken"), reg_key()));
  CHECK(a.respond.status == 503);
  CHECK(code_of(a) == "ServiceUnavailable");
  CHECK(a.respond.log_line.find("role broken.max_session_s") != std::string::npos);
  a = host.run(host.begin_sts(assume_form("typo"), reg_key()));
  CHECK(a.respond.status == 503);
  CHECK(a.respond.log_line.find("role typo.trusted_key") != std::string::npos);
  // The others are untouched.
  a = host.run(host.begin_sts(assume_form("regrole"), reg_key()));
  REQUIRE(a.respond.status == 200);
  const Creds s = creds_of(a);
  CHECK(host.run(host.begin_s3("/acct/data/reg/f", s)).kind == ActionKind::Fetch);
  CHECK(host.run(host.begin_sts(assume_form("reader"), reg_key())).respond.status == 200);
  // A session of a role whose entry turns malformed: its S3 requests are 503 (not a refusal), past the TTL.
  host.registry["v1/role/regrole"] = "{\"scopes\": 3}";
  const double later = kNow + 61000;
  a = host.run(host.begin_s3("/acct/data/reg/f", s, later), later);
  CHECK(a.respond.status == 503);
  CHECK(code_of(a) == "ServiceUnavailable");
  CHECK(a.respond.log_line.find("role regrole.scopes") != std::string::npos);
}

TEST_CASE("sts: a static role wins over a registry role of its name; garbage names cost no read; absent is cached",
          "[sts][registry]") {
  StsHost host(registry_roles_config());
  host.registry["v1/key/AKIDREGKEY"] = registry_key_entry(false);
  // The registry's "reader" would grant more and trust another key: never read, never used.
  host.registry["v1/role/reader"] = R"({"scopes": [{"account": "acct", "actions": ["read", "list", "write"]}],
                                       "trusted_keys": ["AKIDSOMEONEELSE"]})";
  Action a = host.run(host.begin_sts(assume_form("reader"), reg_key()));
  REQUIRE(a.respond.status == 200);
  CHECK(host.registry_reads == 1);  // the key only
  const Creds s = creds_of(a);
  CHECK(host.run(host.begin_s3("/acct/data/public/f", s)).kind == ActionKind::Fetch);
  CHECK(code_of(host.run(host.begin_s3("/acct/data/reg/f", s))) == "AccessDenied");
  CHECK(host.registry_reads == 1);
  // A RoleArn that is not ours, or a name no role can have: no registry read, refused as before.
  a = host.run(host.begin_sts("Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/x"
                              "&RoleSessionName=reg-job", reg_key()));
  CHECK(a.respond.status == 400);
  a = host.run(host.begin_sts("Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::s3-edge-proxy:role/b%21d"
                              "&RoleSessionName=reg-job", reg_key()));
  CHECK(a.respond.status == 400);
  CHECK(host.registry_reads == 1);
  // An unknown role: one read, then "absent" from the isolate's tier for the negative TTL.
  for (int i = 0; i < 3; ++i) {
    a = host.run(host.begin_sts(assume_form("nosuchrole"), reg_key()));
    CHECK(code_of(a) == "AccessDenied");
  }
  CHECK(host.registry_reads == 2);
}

TEST_CASE("sts: role entries parse with the static roles' rules, errors named for the entry", "[sts][registry]") {
  Role r;
  std::string error;
  CHECK(load_role_entry("ok", R"({"scopes": [{"account": "x", "actions": ["read"]}], "trusted_keys": ["AKIDX"],
                                 "max_session_s": 7200, "disabled": true})", 900, r, error));
  CHECK(r.name == "ok");
  CHECK(r.max_session_s == 7200);
  CHECK(r.disabled);
  CHECK(r.trusts("AKIDX"));
  CHECK_FALSE(load_role_entry("ok", "[]", 900, r, error));
  CHECK(error.find("role ok") == 0);
  CHECK_FALSE(load_role_entry("ok", R"({"scopes": [], "trusted_keys": []})", 900, r, error));
  CHECK(error.find("role ok.trusted_keys") == 0);
  CHECK_FALSE(load_role_entry("ok", R"({"scopes": [{"account": "x", "actions": ["fly"]}], "trusted_keys": ["AKIDX"]})",
                              900, r, error));
  CHECK(error.find("role ok.scopes[0]") == 0);
  CHECK_FALSE(load_role_entry("ok", R"({"scopes": [], "trusted_keys": ["AKIDX"], "disabled": "no"})", 900, r, error));
  CHECK(error.find("role ok.disabled") == 0);
  CHECK_FALSE(load_role_entry("b!d", R"({"scopes": [], "trusted_keys": ["AKIDX"]})", 900, r, error));
  // S3P_CONFIG's roles take "disabled" too: a disabled static role is not assumable.
  StsHost host(sts_config(R"(, "off": {"scopes": [], "trusted_keys": ["AKIDPIPELINE"], "disabled": true})"));
  const Action a = host.run(host.begin_sts("Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::s3-edge-proxy:role/off"
                                           "&RoleSessionName=job", {"AKIDPIPELINE", "pipeline secret", ""}));
  CHECK(code_of(a) == "AccessDenied");
}
