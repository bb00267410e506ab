// Backend AssumeRole with ExternalId: the config (defaults and field errors), the STS form and its SigV4 signature
// (compared with signatures botocore's SigV4Auth computed for the same inputs), the L1/L2 keys (every input of the
// exchange), and the exchange through the Engine: no JWT, one signed POST, one exchange for concurrent cold requests.
#include <catch2/catch.hpp>

#include "federation_fixture.h"
#include "worker/config/backend_identity.h"
#include "worker/config/config.h"
#include "worker/core/engine.h"
#include "worker/creds/credential_source.h"
#include "worker/creds/l2_entry.h"
#include "worker/creds/sts_request.h"
#include "worker/creds/sts_response.h"
#include "worker/rules/external_id.h"
#include "worker/rules/iso8601.h"

using namespace s3p;

namespace {

const char* kRole = "arn:aws:iam::210987654321:role/partner/reader";

s3p::Env ar_env() {
  s3p::Env env = fedtest::env();
  env["BASE_ID"] = "AKIDEXAMPLE";
  env["BASE_SECRET"] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  return env;
}

// A config with one assume_role backend ("partner") behind acme/data; `auth_extra` adds or overrides auth fields.
std::string ar_config(const std::string& auth_extra = "", bool federation = true) {
  const std::string fed = federation ? R"("federation": {"issuer": "https://proxy.example.org/", "signing_key_secret": "OIDC_KEY",
                   "sts_endpoint": "https://sts.example.org", "l2_key_secret": "L2_KEY", "sts_timeout_ms": 2000},)"
                                     : "";
  return "{" + fed + R"("backends": {"partner": {"endpoint": "https://s3.example.org", "bucket": "b",
      "auth": {"type": "assume_role", "role_arn": ")" + kRole + R"(", "external_id": "s3p:partner/7f3a=x+y@z",
               "access_key_id_secret": "BASE_ID", "secret_access_key_secret": "BASE_SECRET")" + auth_extra + R"(}}},
    "accounts": {"acme": {"repositories": {"data": {"backend": "partner", "prefix": "p/", "public": true, "cache": {"enabled": false}}}}}
  })";
}

// The base keys go (a chained exchange's source session signs the call); a harmless field keeps the JSON's shape.
std::string without_base_keys(std::string config) {
  const std::string keys = R"("access_key_id_secret": "BASE_ID", "secret_access_key_secret": "BASE_SECRET")";
  const size_t at = config.find(keys);
  REQUIRE(at != std::string::npos);
  return config.replace(at, keys.size(), R"("sts_region": "us-east-1")");
}

AssumeRoleAuth auth_of(const std::string& auth_extra = "") {
  Config cfg;
  std::string error;
  REQUIRE(load_config(ar_config(auth_extra), ar_env(), cfg, error));
  return cfg.backends.at("partner")->assume_role;
}

double at(const char* iso) {
  int64_t ms = 0;
  REQUIRE(parse_iso8601_ms(iso, ms));
  return static_cast<double>(ms);
}

std::string ar_body(const std::string& id, const char* expiration) {
  return "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"
         "<AssumedRoleUser><Arn>arn:aws:sts::210987654321:assumed-role/reader/s3p</Arn></AssumedRoleUser>"
         "<Credentials><AccessKeyId>" + id + "</AccessKeyId><SecretAccessKey>s-" + id +
         "</SecretAccessKey><SessionToken>tok-" + id + "</SessionToken><Expiration>" + expiration +
         "</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>";
}

}  // namespace

TEST_CASE("assume_role config: defaults and field errors", "[assume_role][config]") {
  Config cfg;
  std::string error;
  REQUIRE(load_config(ar_config(), ar_env(), cfg, error));
  const Backend& b = *cfg.backends.at("partner");
  CHECK(b.auth == BackendAuth::AssumeRole);
  CHECK(b.assume_role.role_arn == kRole);
  CHECK(b.assume_role.session_name == "s3-edge-proxy-partner");  // default: from the backend's name
  CHECK(b.assume_role.external_id == "s3p:partner/7f3a=x+y@z");
  CHECK(b.assume_role.duration_seconds == 3600);
  CHECK(b.assume_role.sts_region == "us-east-1");
  CHECK(b.assume_role.access_key_id == "AKIDEXAMPLE");
  CHECK(b.assume_role.secret_access_key == "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  CHECK(auth_of(R"(, "session_name": "repo:acme/data")").session_name == "repo-acme-data");  // sanitized
  CHECK(auth_of(R"(, "duration_s": 900)").duration_seconds == 900);
  CHECK(auth_of(R"(, "duration_s": 43200)").duration_seconds == 43200);
  CHECK(backend_principal(b) == "assume_role " + std::string(kRole) + " s3-edge-proxy-partner AKIDEXAMPLE");

  // Without an ExternalId none is sent (a role whose trust policy names none).
  Config plain;
  std::string no_ext = ar_config();
  no_ext.replace(no_ext.find(R"("external_id": "s3p:partner/7f3a=x+y@z",)"), 41, "");
  REQUIRE(load_config(no_ext, ar_env(), plain, error));
  CHECK(plain.backends.at("partner")->assume_role.external_id.empty());

  s3p::Env no_secret = ar_env();
  no_secret.erase("BASE_SECRET");
  struct Bad { std::string auth_extra; s3p::Env env; std::string error; };
  const Bad bad[] = {
      {R"(, "role_arn": "arn:aws:iam::1234:role/x")", ar_env(), "backends.partner.auth.role_arn: "},
      {R"(, "external_id": "x")", ar_env(), "backends.partner.auth.external_id: must be 2-1224 characters"},
      {R"(, "external_id": "")", ar_env(), "backends.partner.auth.external_id: must be 2-1224 characters"},
      {R"(, "external_id": ")" + std::string(1225, 'a') + "\"", ar_env(), "backends.partner.auth.external_id: must be 2-1224"},
      {R"(, "external_id": "has space")", ar_env(), "backends.partner.auth.external_id: may hold only"},
      {R"(, "external_id": "a\nb")", ar_env(), "backends.partner.auth.external_id: may hold only"},
      {R"(, "external_id": 42)", ar_env(), "backends.partner.auth.external_id: must be a string"},
      {R"(, "duration_s": 899)", ar_env(), "backends.partner.auth.duration_s: must be an integer in 900..43200"},
      {R"(, "duration_s": 43201)", ar_env(), "backends.partner.auth.duration_s: must be an integer in 900..43200"},
      {R"(, "sts_region": "US East")", ar_env(), "backends.partner.auth.sts_region: must be a region name"},
      {R"(, "secret_access_key_secret": "")", ar_env(), "backends.partner.auth.secret_access_key_secret: must not be empty"},
      {"", no_secret, "backends.partner.auth.secret_access_key_secret: Worker secret \"BASE_SECRET\" is not set"},
  };
  for (const Bad& c : bad) {
    INFO(c.auth_extra);
    Config out;
    std::string e;
    CHECK_FALSE(load_config(ar_config(c.auth_extra), c.env, out, e));
    CHECK_THAT(e, Catch::StartsWith(c.error));
    CHECK(e.find("wJalrXUtnFEMI") == std::string::npos);  // never a secret in an error
  }
  Config out;
  std::string e;
  CHECK_FALSE(load_config(ar_config("", false), ar_env(), out, e));
  CHECK_THAT(e, Catch::StartsWith("backends.partner.auth.type: assume_role needs a \"federation\" section"));
  CHECK_FALSE(load_config(ar_config(R"(, "type": "assume-role")"), ar_env(), out, e));
  CHECK_THAT(e, Catch::Contains("\"assume_role\""));
}

TEST_CASE("ExternalId rule: 2-1224 of [\\w+=,.@:/-]", "[assume_role][rules]") {
  CHECK(external_id_problem("ab").empty());
  CHECK(external_id_problem("A-Za-z0-9_+=,.@:/-").empty());
  CHECK(external_id_problem(std::string(1224, 'x')).empty());
  CHECK_FALSE(external_id_problem("a").empty());
  CHECK_FALSE(external_id_problem(std::string(1225, 'x')).empty());
  for (const char* bad : {"a b", "a\"b", "a#b", "a%b", "a\x01", "ключ", "a?b", "a&b"}) {
    INFO(bad);
    CHECK_FALSE(external_id_problem(bad).empty());
  }
}

TEST_CASE("AssumeRole form and its SigV4 signature (botocore's for the same inputs)", "[assume_role][sts]") {
  AssumeRoleAuth a = auth_of(R"(, "session_name": "s3p-partner", "duration_s": 900)");
  const std::string form =
      "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2Fpartner%2Freader"
      "&RoleSessionName=s3p-partner&ExternalId=s3p%3Apartner%2F7f3a%3Dx%2By%40z&DurationSeconds=900";
  CHECK(assume_role_form(a) == form);

  FederationSettings s;
  s.sts_timeout_ms = 2500;
  const int64_t t = 1795694400;  // 2026-11-26T12:00:00Z
  // botocore.auth.SigV4Auth(Credentials(id, secret), "sts", "us-east-1").add_auth on a POST of `form` with this
  // content-type, its clock set to 2026-11-26T12:00:00Z (tests/unit/test_assume_role.cpp's inputs).
  struct Case { const char* url; const char* signature; };
  const Case cases[] = {
      {"https://sts.example.org/", "43e4e1f9ad53807adbcb29574042085b94fc55652cdb930b54ca5b393b682c0c"},
      {"https://STS.example.org:443/", "43e4e1f9ad53807adbcb29574042085b94fc55652cdb930b54ca5b393b682c0c"},
      {"http://127.0.0.1:8080/sts/", "71746305f38f81f48436e6de70815f7613074e6954ff60a7d7faa72a10abb8c4"},
  };
  for (const Case& c : cases) {
    INFO(c.url);
    s.sts_url = c.url;
    FetchAction f = assume_role_fetch(s, a, {a.access_key_id, a.secret_access_key, ""}, t);
    CHECK(f.method == "POST");
    CHECK(f.url == c.url);
    CHECK(f.timeout_ms == 2500);  // the STS timeout, as every STS call
    CHECK(f.mode == ResponseMode::Buffer);
    CHECK(f.body.kind == BodyKind::Bytes);
    CHECK(f.body.bytes == form);
    CHECK(find_header(f.headers, "host") == nullptr);  // fetch sets it from the URL
    CHECK(*find_header(f.headers, "x-amz-date") == "20261126T120000Z");
    CHECK(find_header(f.headers, "x-amz-security-token") == nullptr);
    CHECK(find_header(f.headers, "x-amz-content-sha256") == nullptr);  // S3's header, not STS's
    CHECK(*find_header(f.headers, "authorization") ==
          std::string("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/us-east-1/sts/aws4_request, "
                      "SignedHeaders=content-type;host;x-amz-date, Signature=") + c.signature);
    for (const auto& h : f.headers) CHECK(h.value.find("wJalrXUtnFEMI") == std::string::npos);
  }
  // No ExternalId configured: none sent; the region signed for is the configured one.
  AssumeRoleAuth b = a;
  b.external_id.clear();
  b.sts_region = "eu-west-1";
  s.sts_url = "https://sts.example.org/";
  FetchAction f = assume_role_fetch(s, b, {b.access_key_id, b.secret_access_key, ""}, t);
  CHECK(f.body.bytes.find("ExternalId") == std::string::npos);
  CHECK_THAT(*find_header(f.headers, "authorization"), Catch::Contains("/20261126/eu-west-1/sts/aws4_request"));

  // Role chaining: signed with a session, whose token is sent and signed (botocore's, with
  // Credentials("ASIACHAINED", "chained/secret", "chained-session-token")).
  s.sts_url = "https://sts.example.org/";
  FetchAction chained = assume_role_fetch(s, a, {"ASIACHAINED", "chained/secret", "chained-session-token"}, t);
  CHECK(*find_header(chained.headers, "x-amz-security-token") == "chained-session-token");
  CHECK(*find_header(chained.headers, "authorization") ==
        "AWS4-HMAC-SHA256 Credential=ASIACHAINED/20261126/us-east-1/sts/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, "
        "Signature=80bf15796b76d66fb6ece7bbc0a49d71a5c06f582ed0eba312cf6d6a3e83c519");
}

TEST_CASE("assume_role chained from web identity: config, keys", "[assume_role][chain]") {
  const std::string source =
      R"("source": {"type": "web_identity", "role_arn": "arn:aws:iam::123456789012:role/demo/reader", "subject": "proxy:acme/data"})";
  auto chained_config = [&](const std::string& extra) {
    return without_base_keys(ar_config(", " + source + extra));
  };
  Config cfg;
  std::string e;
  REQUIRE(load_config(chained_config(""), ar_env(), cfg, e));
  const Backend& b = *cfg.backends.at("partner");
  REQUIRE(b.assume_role.source);
  CHECK(b.assume_role.source->role_arn == "arn:aws:iam::123456789012:role/demo/reader");
  CHECK(b.assume_role.source->session_name == "proxy-acme-data");  // sanitized, as web_identity's
  CHECK(b.assume_role.access_key_id.empty());
  CHECK(backend_principal(b) == "assume_role " + std::string(kRole) +
                                    " s3-edge-proxy-partner via role arn:aws:iam::123456789012:role/demo/reader proxy:acme/data");

  Config bad;
  CHECK_FALSE(load_config(ar_config(", " + source), ar_env(), bad, e));  // keys and a source: which signs?
  CHECK_THAT(e, Catch::StartsWith("backends.partner.auth.access_key_id_secret: not with \"source\""));
  CHECK_FALSE(load_config(chained_config(R"(, "duration_s": 7200)"), ar_env(), bad, e));
  CHECK_THAT(e, Catch::StartsWith("backends.partner.auth.duration_s: at most 3600"));
  std::string wrong = chained_config("");
  wrong.replace(wrong.find(R"("type": "web_identity")"), 22, R"("type": "static")");
  CHECK_FALSE(load_config(wrong, ar_env(), bad, e));
  CHECK_THAT(e, Catch::StartsWith("backends.partner.auth.source.type:"));
  std::string no_subject = chained_config("");
  const std::string subject = R"(, "subject": "proxy:acme/data")";
  no_subject.replace(no_subject.find(subject), subject.size(), "");
  CHECK_FALSE(load_config(no_subject, ar_env(), bad, e));
  CHECK_THAT(e, Catch::StartsWith("backends.partner.auth.source"));

  // Keys: a chained exchange never shares one with the keyed exchange of the same role, nor with another subject's.
  Backend keyed;
  keyed.auth = BackendAuth::AssumeRole;
  keyed.assume_role = auth_of();
  auto ks = credential_source(keyed), cs = credential_source(b);
  REQUIRE(cs->base_source());
  CHECK(ks->base_source() == nullptr);
  CHECK(cs->l1_key() != ks->l1_key());
  CHECK(cs->l2_key() != ks->l2_key());
  Backend other = b;
  other.assume_role.source->subject = "proxy:acme/other";
  CHECK(credential_source(other)->l1_key() != cs->l1_key());
  CHECK(credential_source(other)->l2_binding() != cs->l2_binding());
}

TEST_CASE("STS AssumeRole answers parse like AssumeRoleWithWebIdentity's", "[assume_role][sts]") {
  StsResponse r = parse_sts_response(ar_body("ASIAAR", "2026-11-26T13:00:00Z"));
  REQUIRE(r.kind == StsResponse::Kind::Credentials);
  CHECK(r.creds.access_key_id == "ASIAAR");
  CHECK(r.creds.session_token == "tok-ASIAAR");
  CHECK(r.has_expiration);
  // A result element that does not match its response is not an answer.
  CHECK(parse_sts_response("<AssumeRoleResponse><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>A</AccessKeyId>"
                           "<SecretAccessKey>S</SecretAccessKey><SessionToken>T</SessionToken></Credentials>"
                           "</AssumeRoleWithWebIdentityResult></AssumeRoleResponse>")
            .kind == StsResponse::Kind::Unparseable);
}

TEST_CASE("L1/L2 keys: every input of the exchange", "[assume_role][keys]") {
  Backend base;
  base.auth = BackendAuth::AssumeRole;
  base.assume_role = auth_of();
  auto src = credential_source(base);
  REQUIRE(src);
  const std::string l1 = src->l1_key(), l2 = src->l2_key(), binding = src->l2_binding();
  CHECK_THAT(l2, Catch::StartsWith(l2::cache_key(kRole, "s3-edge-proxy-partner") + "/"));
  CHECK(binding == l2::seal_binding(l2, l1));
  CHECK(l1.find("wJalrXUtnFEMI") == std::string::npos);  // the base secret is in no key
  CHECK(l2.find("AKIDEXAMPLE") == std::string::npos);      // nor is the key id in a cache URL

  // The same inputs: the same keys (another isolate finds the entry).
  Backend same = base;
  CHECK(credential_source(same)->l1_key() == l1);
  CHECK(credential_source(same)->l2_key() == l2);

  using Change = void (*)(AssumeRoleAuth&);
  const std::pair<const char*, Change> changes[] = {
      {"role", [](AssumeRoleAuth& a) { a.role_arn += "2"; }},
      {"session", [](AssumeRoleAuth& a) { a.session_name = "other"; }},
      {"external id", [](AssumeRoleAuth& a) { a.external_id = "another-id"; }},
      {"no external id", [](AssumeRoleAuth& a) { a.external_id.clear(); }},
      {"duration", [](AssumeRoleAuth& a) { a.duration_seconds = 7200; }},
      {"base key", [](AssumeRoleAuth& a) { a.access_key_id = "AKIDOTHER"; }},
      {"sts region", [](AssumeRoleAuth& a) { a.sts_region = "eu-west-1"; }},
  };
  for (const auto& [what, change] : changes) {
    INFO(what);
    Backend b = base;
    change(b.assume_role);
    auto other = credential_source(b);
    CHECK(other->l1_key() != l1);
    CHECK(other->l2_key() != l2);
    CHECK(other->l2_binding() != binding);
  }
  // Moving a character between ExternalId and key id never yields the same key.
  Backend x = base, y = base;
  x.assume_role.external_id = "ab";
  x.assume_role.access_key_id = "c";
  y.assume_role.external_id = "a";
  y.assume_role.access_key_id = "bc";
  CHECK(credential_source(x)->l1_key() != credential_source(y)->l1_key());

  // A web identity backend on the same role and session never shares a key with it.
  Backend w;
  w.auth = BackendAuth::WebIdentity;
  w.web_identity.role_arn = kRole;
  w.web_identity.session_name = "s3-edge-proxy-partner";
  w.web_identity.subject = "AKIDEXAMPLE";
  auto ws = credential_source(w);
  CHECK(ws->l1_key() != l1);
  CHECK(ws->l2_key() != l2);
  CHECK(ws->l2_key() == l2::cache_key(kRole, "s3-edge-proxy-partner"));  // web identity's entries keep their name
  CHECK(credential_source(Backend{}) == nullptr);  // anonymous: no exchange
}

namespace {

struct ArHost {
  Engine engine;
  explicit ArHost(const std::string& cfg = ar_config()) {
    engine.init(cfg, ar_env(), "assume_role test seed");
    REQUIRE(engine.configured());
  }
  uint32_t begin(double now) {
    RequestHead h;
    h.method = "GET";
    h.path = "/acme/data/k";
    h.random = 7;
    return engine.begin(std::move(h), now);
  }
  void result(uint32_t id, ActionKind kind, bool ok, std::string data, double now) {
    Result r;
    r.kind = kind;
    r.flag = ok;
    r.data = std::move(data);
    engine.feed(id, std::move(r), now);
  }
  void fetch_result(uint32_t id, uint32_t status, std::string body, double now) {
    Result r;
    r.kind = ActionKind::Fetch;
    r.fetch.outcome = FetchOutcome::Ok;
    r.fetch.status = status;
    r.fetch.body = std::move(body);
    engine.feed(id, std::move(r), now);
  }
};

}  // namespace

TEST_CASE("Engine: assume_role exchange — L2 miss, one signed POST, credentials used; 50 cold → 1", "[assume_role][engine]") {
  ArHost h;
  const double now = at("2026-11-26T12:00:00Z");
  std::vector<uint32_t> ids;
  for (int i = 0; i < 50; ++i) ids.push_back(h.begin(now));
  Action a = h.engine.next(ids[0], now);
  REQUIRE(a.kind == ActionKind::CacheMatch);
  const std::string l2 = a.call.name;
  CHECK_THAT(l2, Catch::StartsWith("https://sts-creds.cache.internal/v1/"));
  for (size_t i = 1; i < ids.size(); ++i) REQUIRE(h.engine.next(ids[i], now).kind == ActionKind::Wait);
  h.result(ids[0], ActionKind::CacheMatch, false, "", now);
  a = h.engine.next(ids[0], now);
  REQUIRE(a.kind == ActionKind::Fetch);  // no JWT to mint: straight to STS
  CHECK(a.fetch.method == "POST");
  CHECK(a.fetch.url == "https://sts.example.org/");
  CHECK(a.fetch.timeout_ms == 2000);
  CHECK_THAT(a.fetch.body.bytes, Catch::StartsWith("Action=AssumeRole&"));
  CHECK_THAT(a.fetch.body.bytes, Catch::Contains("&ExternalId=s3p%3Apartner%2F7f3a%3Dx%2By%40z&DurationSeconds=3600"));
  CHECK_THAT(*find_header(a.fetch.headers, "authorization"),
             Catch::StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/us-east-1/sts/aws4_request, "));
  h.fetch_result(ids[0], 200, ar_body("ASIAAR1", "2026-11-26T13:00:00Z"), now + 20);
  CHECK(h.engine.take_wakeups().size() == 49);
  a = h.engine.next(ids[0], now + 20);
  REQUIRE(a.kind == ActionKind::Spawn);  // the L2 write
  uint32_t writer = a.number;
  Action seal = h.engine.next(writer, now + 20);
  REQUIRE(seal.kind == ActionKind::Seal);
  CHECK(seal.call.name == "L2_KEY");
  CHECK(seal.call.aad == l2 + "\n" + assume_role_l1_key(h.engine.config().backends.at("partner")->assume_role));
  h.engine.release(writer);
  a = h.engine.next(ids[0], now + 20);
  REQUIRE(a.kind == ActionKind::Fetch);
  CHECK(a.fetch.method == "GET");
  CHECK(*find_header(a.fetch.headers, "x-amz-security-token") == "tok-ASIAAR1");
  CHECK_THAT(*find_header(a.fetch.headers, "authorization"), Catch::Contains("Credential=ASIAAR1/"));
  for (size_t i = 1; i < ids.size(); ++i) {
    Result w;
    w.kind = ActionKind::Wait;
    w.flag = true;
    h.engine.feed(ids[i], std::move(w), now + 21);
    Action b = h.engine.next(ids[i], now + 21);
    REQUIRE(b.kind == ActionKind::Fetch);
    CHECK(*find_header(b.fetch.headers, "x-amz-security-token") == "tok-ASIAAR1");
  }
  for (uint32_t id : ids) h.engine.release(id);
}

TEST_CASE("Engine: chained assume_role — the web-identity exchange first, its session signs AssumeRole", "[assume_role][chain][engine]") {
  std::string cfg = ar_config(
      R"(, "source": {"type": "web_identity", "role_arn": "arn:aws:iam::123456789012:role/demo/reader", "subject": "proxy:acme/data"})");
  cfg = without_base_keys(cfg);
  ArHost h(cfg);
  const double now = at("2026-11-26T12:00:00Z");
  const uint32_t id = h.begin(now);
  Action a = h.engine.next(id, now);
  REQUIRE(a.kind == ActionKind::CacheMatch);  // the chained credentials' own L2 entry first
  const std::string outer_l2 = a.call.name;
  h.result(id, ActionKind::CacheMatch, false, "", now);
  a = h.engine.next(id, now);
  REQUIRE(a.kind == ActionKind::CacheMatch);  // then the source session's
  CHECK(a.call.name != outer_l2);
  h.result(id, ActionKind::CacheMatch, false, "", now);
  REQUIRE(h.engine.next(id, now).kind == ActionKind::Random);  // the JWT's jti
  h.result(id, ActionKind::Random, true, std::string(16, 'r'), now);
  a = h.engine.next(id, now);
  REQUIRE(a.kind == ActionKind::SignRs256);
  h.result(id, ActionKind::SignRs256, true, "sig", now);
  a = h.engine.next(id, now);
  REQUIRE(a.kind == ActionKind::Fetch);
  CHECK_THAT(a.fetch.body.bytes, Catch::StartsWith("Action=AssumeRoleWithWebIdentity&"));
  CHECK(find_header(a.fetch.headers, "authorization") == nullptr);
  std::string wi = ar_body("ASIAWI1", "2026-11-26T13:00:00Z");
  h.fetch_result(id, 200, wi, now + 10);
  a = h.engine.next(id, now + 10);
  REQUIRE(a.kind == ActionKind::Spawn);  // the source session's L2 write
  h.engine.release(a.number);
  a = h.engine.next(id, now + 10);
  REQUIRE(a.kind == ActionKind::Fetch);  // AssumeRole, signed with the web-identity session
  CHECK_THAT(a.fetch.body.bytes, Catch::StartsWith("Action=AssumeRole&"));
  CHECK_THAT(a.fetch.body.bytes, Catch::Contains("&ExternalId=s3p%3Apartner%2F7f3a%3Dx%2By%40z&DurationSeconds=3600"));
  CHECK_THAT(*find_header(a.fetch.headers, "authorization"), Catch::StartsWith("AWS4-HMAC-SHA256 Credential=ASIAWI1/"));
  CHECK(*find_header(a.fetch.headers, "x-amz-security-token") == "tok-ASIAWI1");
  h.fetch_result(id, 200, ar_body("ASIAAR2", "2026-11-26T13:00:00Z"), now + 20);
  a = h.engine.next(id, now + 20);
  REQUIRE(a.kind == ActionKind::Spawn);  // the chained credentials' L2 write
  h.engine.release(a.number);
  a = h.engine.next(id, now + 20);
  REQUIRE(a.kind == ActionKind::Fetch);  // the backend request, with the chained credentials
  CHECK(a.fetch.method == "GET");
  CHECK(*find_header(a.fetch.headers, "x-amz-security-token") == "tok-ASIAAR2");
  h.engine.release(id);

  // The source's refusal is the chained exchange's: nothing more is sent, the client gets STS's class of answer.
  ArHost r(cfg);
  const uint32_t id2 = r.begin(now);
  REQUIRE(r.engine.next(id2, now).kind == ActionKind::CacheMatch);
  r.result(id2, ActionKind::CacheMatch, false, "", now);
  REQUIRE(r.engine.next(id2, now).kind == ActionKind::CacheMatch);
  r.result(id2, ActionKind::CacheMatch, false, "", now);
  REQUIRE(r.engine.next(id2, now).kind == ActionKind::Random);
  r.result(id2, ActionKind::Random, true, std::string(16, 'r'), now);
  REQUIRE(r.engine.next(id2, now).kind == ActionKind::SignRs256);
  r.result(id2, ActionKind::SignRs256, true, "sig", now);
  REQUIRE(r.engine.next(id2, now).kind == ActionKind::Fetch);
  r.fetch_result(id2, 403, "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message></Error></ErrorResponse>", now + 5);
  a = r.engine.next(id2, now + 5);
  REQUIRE(a.kind == ActionKind::Respond);
  CHECK(a.respond.status == 403);
  r.engine.release(id2);
}

TEST_CASE("Engine: an AssumeRole refusal is not cached; the next request asks STS again", "[assume_role][engine]") {
  ArHost h;
  const double now = at("2026-11-26T12:00:00Z");
  const std::string denied =
      "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to perform "
      "sts:AssumeRole</Message></Error><RequestId>r</RequestId></ErrorResponse>";
  for (int round = 0; round < 2; ++round) {
    uint32_t id = h.begin(now + round);
    REQUIRE(h.engine.next(id, now + round).kind == ActionKind::CacheMatch);
    h.result(id, ActionKind::CacheMatch, false, "", now + round);
    Action a = h.engine.next(id, now + round);
    REQUIRE(a.kind == ActionKind::Fetch);
    REQUIRE(a.fetch.method == "POST");  // asked again: the refusal was not cached
    h.fetch_result(id, 403, denied, now + round);
    a = h.engine.next(id, now + round);
    REQUIRE(a.kind == ActionKind::Respond);
    CHECK(a.respond.status == 403);
    CHECK_THAT(a.respond.body.bytes, Catch::Contains("<Code>AccessDenied</Code>"));
    CHECK(a.respond.body.bytes.find("sts:AssumeRole") == std::string::npos);  // STS's message stays in the log
    h.engine.release(id);
  }
}
