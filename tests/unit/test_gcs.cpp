// The GCS dialect (dialect/gcs_dialect.h) and GCP workload identity federation (creds/gcp_source.h,
// config/gcp_auth.h): request rendering, answer parsing, config errors, tier keys.
#include <catch2/catch.hpp>

#include <string>

#include "federation_fixture.h"
#include "worker/config/config.h"
#include "worker/core/engine.h"
#include "worker/creds/gcp_source.h"
#include "worker/crypto/base64.h"
#include "worker/dialect/gcs_dialect.h"
#include "worker/dialect/s3_dialect.h"

using namespace s3p;

namespace {

constexpr int64_t kNow = 1796580000;  // Sun, 06 Dec 2026 18:00:00 GMT
const char* const kProvider =
    "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/pool-1/providers/proxy-1";

Backend gcs_backend() {
  Backend b;
  b.name = "g";
  b.dialect = BackendDialect::Gcs;
  b.scheme = "https";
  b.authority = "storage.googleapis.com";
  b.bucket = "open-data";
  b.region = "auto";
  return b;
}

std::string header(const FetchAction& f, std::string_view name) {
  const std::string* v = find_header(f.headers, name);
  return v ? *v : "<absent>";
}

GcpWorkloadIdentityAuth wif(std::string sa = "") {
  GcpWorkloadIdentityAuth a;
  a.audience = kProvider;
  a.token_audience = std::string("https:") + kProvider;
  a.subject = "s3-edge-proxy:acme/data";
  a.service_account = std::move(sa);
  return a;
}

}  // namespace

TEST_CASE("gcs dialect: HMAC reads are S3's SigV4 requests (region auto) without S3's checksum headers",
          "[gcs][dialect]") {
  Backend b = gcs_backend();
  sigv4::SigningKeyCache keys;
  const sigv4::Credentials hmac{"GOOG1EXAMPLE", "hmac-secret", ""};
  const BackendCredentials creds = BackendCredentials::keys(hmac);
  const Headers forwarded = {{"range", "bytes=0-4"}, {"x-amz-checksum-mode", "ENABLED"}};
  const FetchAction f = dialect::of(b).read(b, {false, "dir/a b.txt", &forwarded, nullptr}, &creds, {kNow, keys});
  CHECK(f.method == "GET");
  CHECK(f.url == "https://storage.googleapis.com/open-data/dir/a%20b.txt");
  CHECK(header(f, "x-amz-checksum-mode") == "<absent>");
  CHECK(header(f, "range") == "bytes=0-4");
  const std::string auth = header(f, "authorization");
  CHECK(auth.rfind("AWS4-HMAC-SHA256 Credential=GOOG1EXAMPLE/20261206/auto/s3/aws4_request", 0) == 0);
  // The same request to an S3 backend (without the checksum header) carries the same signature: only the header
  // set differs between the two dialects.
  Backend s3b = b;
  s3b.dialect = BackendDialect::S3;
  const Headers without = {{"range", "bytes=0-4"}};
  const FetchAction g = dialect::of(s3b).read(s3b, {false, "dir/a b.txt", &without, nullptr}, &creds, {kNow, keys});
  CHECK(header(g, "authorization") == auth);
}

TEST_CASE("gcs dialect: a bearer token is sent as Authorization: Bearer, unsigned; refused elsewhere or malformed",
          "[gcs][dialect]") {
  Backend b = gcs_backend();
  sigv4::SigningKeyCache keys;
  const BackendCredentials bearer = BackendCredentials::bearer_token("ya29.token");
  const FetchAction f = dialect::of(b).list(b, {"p/", "/", 1000, "", "", false, false}, &bearer, {kNow, keys});
  CHECK(f.url == "https://storage.googleapis.com/open-data/?delimiter=%2F&list-type=2&max-keys=1000&prefix=p%2F");
  CHECK(header(f, "authorization") == "Bearer ya29.token");
  CHECK(header(f, "x-amz-date") == "<absent>");
  const FetchAction h = dialect::of(b).probe_bucket(b, &bearer, {kNow, keys});
  CHECK(h.method == "HEAD");
  CHECK(header(h, "authorization") == "Bearer ya29.token");
  const BackendCredentials broken = BackendCredentials::bearer_token("ya29.a\r\nx-evil: 1");
  CHECK(dialect::of(b).probe_bucket(b, &broken, {kNow, keys}).url.empty());
  const BackendCredentials empty = BackendCredentials::bearer_token("");
  CHECK(dialect::of(b).probe_bucket(b, &empty, {kNow, keys}).url.empty());
  Backend s3b = b;
  s3b.dialect = BackendDialect::S3;  // S3 takes no bearer token
  CHECK(dialect::of(s3b).probe_bucket(s3b, &bearer, {kNow, keys}).url.empty());
  const BackendCredentials shared = BackendCredentials::azure_shared_key("k");
  CHECK(dialect::of(b).probe_bucket(b, &shared, {kNow, keys}).url.empty());
}

TEST_CASE("gcs dialect: capabilities, refused reads, answers in S3's names, errors classified", "[gcs][dialect]") {
  const dialect::Dialect& d = dialect::of(gcs_backend());
  CHECK(d.name() == "gcs");
  CHECK_FALSE(d.capabilities().payload_hash);
  CHECK_FALSE(d.capabilities().batch_delete);
  CHECK(d.capabilities().writes);
  CHECK(d.unsupported_read({}, {{"partNumber", "1", true}}) == "partNumber on a gcs backend");
  CHECK(d.unsupported_read({{"x-amz-server-side-encryption-customer-key", "k"}}, {}) == "SSE-C on a gcs backend");
  CHECK(d.unsupported_read({{"range", "bytes=-5"}}, {}).empty());
  Headers h = {{"x-goog-meta-color", "blue"}, {"x-goog-storage-class", "NEARLINE"}, {"x-goog-generation", "17"}};
  d.answer_headers(h);
  CHECK(h[0].name == "x-amz-meta-color");
  CHECK(h[1].name == "x-amz-storage-class");
  CHECK(h[2].name == "x-goog-generation");  // dropped later: not a header S3 clients get (passes_through)
  FetchResult r;
  r.status = 404;
  r.body = "<?xml version='1.0' encoding='UTF-8'?><Error><Code>NoSuchKey</Code><Message>m</Message></Error>";
  CHECK(d.classify(r).error == BackendError::NoSuchKey);
  r.status = 401;
  r.body = "<Error><Code>AuthenticationRequired</Code></Error>";
  CHECK(d.classify(r).error == BackendError::CredentialsExpired);
  r.status = 403;
  r.body = "<Error><Code>SignatureDoesNotMatch</Code></Error>";
  CHECK(d.classify(r).error == BackendError::CredentialsRefused);
}

TEST_CASE("gcs dialect: a GCS listing page (Generation, MetaGeneration) renders as S3's, the extras dropped",
          "[gcs][list]") {
  const std::string body =
      "<?xml version='1.0' encoding='UTF-8'?><ListBucketResult xmlns='http://doc.s3.amazonaws.com/2006-03-01'>"
      "<Name>open-data</Name><Prefix>p/</Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys>"
      "<IsTruncated>false</IsTruncated><Contents><Key>p/a.txt</Key><Generation>1700000000000000</Generation>"
      "<MetaGeneration>1</MetaGeneration><LastModified>2026-12-06T18:00:00.000Z</LastModified>"
      "<ETag>\"abc\"</ETag><Size>5</Size><StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>";
  dialect::ListView v;
  v.backend_prefix = "p/";
  v.client_prefix = "repo/";
  v.bucket = "acct";
  std::string out, error;
  REQUIRE(dialect::of(gcs_backend()).render_listing(body, v, out, error, nullptr));
  CHECK(out.find("<Key>repo/a.txt</Key>") != std::string::npos);
  CHECK(out.find("<Size>5</Size>") != std::string::npos);
  CHECK(out.find("Generation") == std::string::npos);
  CHECK(out.find("open-data") == std::string::npos);
  // A key may hold "Generation>" ('>' needs no escaping in text): it is a key, not an element.
  std::string odd = body;
  odd.replace(odd.find("<Key>p/a.txt</Key>"), 18, "<Key>p/Generation></Key>");
  REQUIRE(dialect::of(gcs_backend()).render_listing(odd, v, out, error, nullptr));
  CHECK(out.find("<Key>repo/Generation&gt;</Key>") != std::string::npos);
  CHECK(out.find("<Generation>") == std::string::npos);
}

namespace {
std::string load(const std::string& backend, bool federation = true) {
  const std::string fed = federation ? R"("federation": {"issuer": "https://proxy.example.org", "signing_key_secret": "OIDC_KEY",
      "sts_endpoint": "https://sts.example.org", "l2_key_secret": "L2_KEY"},)"
                                     : "";
  const std::string json = "{" + fed + R"("backends": {"g": )" + backend + R"(},
    "accounts": {"acct": {"repositories": {"r": {"backend": "g", "prefix": "p/", "public": true}}}}})";
  Env env = fedtest::env();
  env["HMAC_ID"] = "GOOG1EXAMPLE";
  env["HMAC_SECRET"] = "secret";
  Config cfg;
  std::string error;
  if (!load_config(json, env, cfg, error)) return "<refused: " + error + ">";
  const Backend& b = *cfg.backends.at("g");
  std::string auth = b.auth == BackendAuth::Static                ? "hmac " + b.access_key_id
                     : b.auth == BackendAuth::GcpWorkloadIdentity ? "wif " + b.gcp.token_audience + " " + b.gcp.sts_url +
                                                                        " " + b.gcp.iam_url + " " + b.gcp.scope
                                                                  : "anonymous";
  return b.scheme + "://" + b.authority + "|" + b.bucket + "|" + b.region + "|" + auth;
}
}  // namespace

TEST_CASE("config: a gcs backend (default endpoint, region auto, HMAC keys or workload identity); errors name the field",
          "[gcs][config]") {
  CHECK(load(R"({"dialect": "gcs", "bucket": "open-data"})") == "https://storage.googleapis.com|open-data|auto|anonymous");
  CHECK(load(R"({"dialect": "gcs", "bucket": "b", "auth": {"type": "hmac", "access_key_id_secret": "HMAC_ID",
                 "secret_access_key_secret": "HMAC_SECRET"}})") == "https://storage.googleapis.com|b|auto|hmac GOOG1EXAMPLE");
  const std::string aud = kProvider;
  CHECK(load(R"({"dialect": "gcs", "bucket": "b", "auth": {"type": "gcp_workload_identity", "audience": ")" + aud +
             R"(", "subject": "s"}})") ==
        "https://storage.googleapis.com|b|auto|wif https:" + aud +
            " https://sts.googleapis.com/v1/token https://iamcredentials.googleapis.com "
            "https://www.googleapis.com/auth/devstorage.read_write");
  auto wif_with = [&](const std::string& extra) {
    return load(R"({"dialect": "gcs", "bucket": "b", "auth": {"type": "gcp_workload_identity", "subject": "s", )" + extra + "}}");
  };
  const std::string a = R"("audience": ")" + aud + "\"";
  CHECK(wif_with(R"("audience": "projects/1/locations/global/workloadIdentityPools/p/providers/q")").find(
            "backends.g.auth.audience: must be //iam.googleapis.com/projects/NUMBER/") != std::string::npos);
  CHECK(wif_with(R"("audience": "//iam.googleapis.com/projects/my-project/locations/global/workloadIdentityPools/pool-1/providers/proxy-1")")
            .find("(the project NUMBER, not its id)") != std::string::npos);
  CHECK(wif_with(R"("audience": "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/proxy-1")")
            .find("backends.g.auth.audience") != std::string::npos);  // pool id too short
  CHECK(wif_with(a + R"(, "service_account": "not an email")") ==
        "<refused: backends.g.auth.service_account: must be a service account email (name@project.iam.gserviceaccount.com)>");
  CHECK(wif_with(a + R"(, "scope": "cloud-platform")") ==
        "<refused: backends.g.auth.scope: must be one https://www.googleapis.com/auth/... scope>");
  CHECK(wif_with(a + R"(, "sts_endpoint": "http://sts.example.org")") ==
        "<refused: backends.g.auth.sts_endpoint: must be an https:// URL (http only for localhost)>");
  CHECK(wif_with(a + R"(, "role_arn": "x")") == "<refused: backends.g.auth.role_arn: is not a gcp_workload_identity field>");
  CHECK(wif_with(a + R"(, "lifetime_s": 60)") == "<refused: backends.g.auth.lifetime_s: must be an integer in 600..43200>");
  CHECK(load(R"({"dialect": "gcs", "bucket": "b", "auth": {"type": "gcp_workload_identity", "subject": "s", )" + a + "}}",
             false) ==
        "<refused: backends.g.auth.type: gcp_workload_identity needs a \"federation\" section (the proxy's OIDC issuer "
        "and l2_key_secret)>");
  CHECK(load(R"({"dialect": "gcs", "bucket": "b", "auth": {"type": "web_identity", "role_arn": "r", "subject": "s"}})") ==
        "<refused: backends.g.auth.type: must be \"anonymous\", \"hmac\" or \"gcp_workload_identity\" on a gcs backend>");
  CHECK(load(R"({"endpoint": "https://s3.example.org", "bucket": "b", "auth": {"type": "hmac"}})") ==
        "<refused: backends.g.auth.type: hmac is for a gcs backend (\"dialect\": \"gcs\")>");
}

TEST_CASE("gcp exchange: Google STS's form, then generateAccessToken with the federated token", "[gcs][gcp]") {
  const GcpWorkloadIdentityAuth plain = wif();
  CHECK(gcp_sts_form(plain, "JWT") ==
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange"
        "&audience=%2F%2Fiam.googleapis.com%2Fprojects%2F123456789012%2Flocations%2Fglobal%2FworkloadIdentityPools%2Fpool-1%2Fproviders%2Fproxy-1"
        "&scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fdevstorage.read_write"
        "&requested_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token"
        "&subject_token=JWT&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Ajwt");
  const FetchAction f = gcp_sts_fetch(plain, "JWT");
  CHECK(f.method == "POST");
  CHECK(f.url == "https://sts.googleapis.com/v1/token");
  CHECK(header(f, "content-type") == "application/x-www-form-urlencoded");
  CHECK(f.timeout_ms == 10000);
  // Impersonating: cloud-platform on the federated token, the configured scope on the service account's.
  const GcpWorkloadIdentityAuth sa = wif("reader@proj.iam.gserviceaccount.com");
  CHECK(gcp_sts_form(sa, "JWT").find("&scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcloud-platform&") != std::string::npos);
  const FetchAction g = gcp_impersonation_fetch(sa, "ya29.fed");
  CHECK(g.url ==
        "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/reader@proj.iam.gserviceaccount.com:generateAccessToken");
  CHECK(header(g, "authorization") == "Bearer ya29.fed");
  CHECK(g.body.bytes == R"({"scope":["https://www.googleapis.com/auth/devstorage.read_write"],"lifetime":"3600s"})");
  // The source: the JWT's aud is the provider's URL; the follow-up only with a service account.
  auto src = gcp_source(sa);
  CHECK(src->token_audience() == std::string("https:") + kProvider);
  StsResponse got;
  got.creds.session_token = "ya29.fed";
  CHECK(src->follow_up(0, got, 0).url == g.url);
  CHECK(src->follow_up(1, got, 0).url.empty());
  CHECK(gcp_source(plain)->follow_up(0, got, 0).url.empty());
  // A flight's claim outlives the whole exchange: one or two requests of timeout_ms (not STS's timeout).
  FederationSettings fs;
  fs.sts_timeout_ms = 1000;
  CHECK(src->exchange_timeout_ms(fs) == 20000);
  CHECK(gcp_source(plain)->exchange_timeout_ms(fs) == 10000);
}

TEST_CASE("gcp exchange: answers parsed, Google's errors mapped (503 / 403 / 502), details without tokens", "[gcs][gcp]") {
  const double now = 1.7e12;
  FetchResult r;
  r.status = 200;
  r.body = R"({"access_token":"ya29.fed","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":3599})";
  StsResponse out;
  FlightFailure f;
  REQUIRE(gcp_outcome(0, r, now, out, f));
  CHECK(out.creds.session_token == "ya29.fed");
  CHECK(out.expiration_ms == static_cast<int64_t>(now) + 3599000);
  r.body = R"({"accessToken":"ya29.sa","expireTime":"2026-12-06T19:00:00Z"})";
  REQUIRE(gcp_outcome(1, r, now, out, f));
  CHECK(out.creds.session_token == "ya29.sa");
  CHECK(out.expiration_ms == (kNow + 3600) * 1000);

  auto fails = [&](int round, uint32_t status, std::string body, FetchOutcome o = FetchOutcome::Ok) {
    FetchResult x;
    x.status = status;
    x.body = std::move(body);
    x.outcome = o;
    StsResponse s;
    FlightFailure why;
    REQUIRE_FALSE(gcp_outcome(round, x, now, s, why));
    return std::string(why.error->code) + " | " + why.detail;
  };
  CHECK(fails(0, 400, R"({"error":"invalid_grant","error_description":"The audience in ID Token does not match"})") ==
        "BadGateway | gcp sts HTTP 400 invalid_grant: The audience in ID Token does not match");
  CHECK(fails(1, 403, R"({"error":{"code":403,"message":"Permission denied","status":"PERMISSION_DENIED"}})") ==
        "AccessDenied | gcp iamcredentials HTTP 403 PERMISSION_DENIED: Permission denied");
  CHECK(fails(0, 503, "<html>").rfind("ServiceUnavailable | gcp sts HTTP 503", 0) == 0);
  CHECK(fails(0, 429, "{}").rfind("ServiceUnavailable", 0) == 0);
  CHECK(fails(0, 0, "", FetchOutcome::Timeout).rfind("ServiceUnavailable | gcp sts timeout", 0) == 0);
  CHECK(fails(0, 200, R"({"access_token":"ya29 with space","token_type":"Bearer","expires_in":10})") ==
        "BadGateway | gcp sts HTTP 200: no usable access token in the answer");
  CHECK(fails(0, 200, R"({"access_token":"ya29.x","token_type":"MAC","expires_in":10})") ==
        "BadGateway | gcp sts HTTP 200: no usable access token in the answer");
  CHECK(fails(0, 200, R"({"access_token":"ya29.x","token_type":"Bearer"})") ==
        "BadGateway | gcp sts HTTP 200: access token without a usable expiry");
  CHECK(fails(1, 200, R"({"accessToken":"ya29.x","expireTime":"tomorrow"})") ==
        "BadGateway | gcp iamcredentials HTTP 200: access token without a usable expiry");
  CHECK(fails(0, 200, "not json") == "BadGateway | gcp sts HTTP 200: no usable access token in the answer");
}

TEST_CASE("gcp tiers: L1 keys hold every input; L2 keys and documents", "[gcs][gcp]") {
  const GcpWorkloadIdentityAuth base = wif("reader@proj.iam.gserviceaccount.com");
  const std::string k = gcp_l1_key(base);
  auto differs = [&](auto change) {
    GcpWorkloadIdentityAuth a = base;
    change(a);
    return gcp_l1_key(a) != k;
  };
  CHECK(differs([](auto& a) { a.subject = "other"; }));
  CHECK(differs([](auto& a) { a.service_account = "x@proj.iam.gserviceaccount.com"; }));
  CHECK(differs([](auto& a) { a.scope = "https://www.googleapis.com/auth/devstorage.read_only"; }));
  CHECK(differs([](auto& a) { a.token_audience = "https://other"; }));
  CHECK(differs([](auto& a) { a.audience += "x"; }));
  CHECK(differs([](auto& a) { a.sts_url = "http://127.0.0.1:1/t"; }));
  CHECK(differs([](auto& a) { a.iam_url = "http://127.0.0.1:1"; }));
  CHECK(differs([](auto& a) { a.lifetime_s = 900; }));
  CHECK(k.rfind("gcp\n", 0) == 0);
  auto src = gcp_source(base);
  CHECK(src->l1_key() == k);
  CHECK(src->l2_key().rfind("https://sts-creds.cache.internal/v1/%2F%2Fiam.googleapis.com%2Fprojects%2F", 0) == 0);
  CHECK(src->l2_key().find("/reader%40proj.iam.gserviceaccount.com/") != std::string::npos);
  CHECK(gcp_source(wif("other@proj.iam.gserviceaccount.com"))->l2_key() != src->l2_key());

  StsResponse got;
  got.kind = StsResponse::Kind::Credentials;
  got.creds.session_token = "ya29.sa";
  got.expiration_ms = 1796583600000;
  got.has_expiration = true;
  const std::string doc = gcp_l2_document(got);
  CHECK(doc == "gcp-token/1\n1796583600000\nya29.sa");
  const StsResponse back = gcp_parse_l2(doc);
  CHECK(back.kind == StsResponse::Kind::Credentials);
  CHECK(back.creds.session_token == "ya29.sa");
  CHECK(back.expiration_ms == 1796583600000);
  CHECK(gcp_parse_l2("gcp-token/1\n17x\nya29").kind == StsResponse::Kind::Unparseable);
  CHECK(gcp_parse_l2("gcp-token/1\n1\n").kind == StsResponse::Kind::Unparseable);
  CHECK(gcp_parse_l2("<AssumeRoleWithWebIdentityResponse/>").kind == StsResponse::Kind::Unparseable);
}


namespace {

std::string wif_config() {
  return R"({
    "federation": {"issuer": "https://proxy.example.org", "signing_key_secret": "OIDC_KEY", "kid": "k1",
                   "sts_endpoint": "https://sts.example.org", "l2_key_secret": "L2_KEY"},
    "backends": {"g": {"dialect": "gcs", "bucket": "open-data",
      "auth": {"type": "gcp_workload_identity", "audience": ")" + std::string(kProvider) + R"(",
               "subject": "s3-edge-proxy:acme/data", "service_account": "reader@proj.iam.gserviceaccount.com"}}},
    "accounts": {"acme": {"repositories": {"data": {"backend": "g", "prefix": "p/", "public": true,
                                                     "cache": {"enabled": false}}}}}
  })";
}

struct WifHost {
  Engine engine;
  WifHost() {
    engine.init(wif_config(), fedtest::env(), "gcs unit test seed, long enough.");
    REQUIRE(engine.configured());
  }
  uint32_t begin(double now) {
    RequestHead h;
    h.method = "GET";
    h.path = "/acme/data/k";
    h.random = 7;
    return engine.begin(std::move(h), now);
  }
  void feed(uint32_t id, ActionKind kind, bool ok, std::string data, double now) {
    Result r;
    r.kind = kind;
    r.flag = ok;
    r.data = std::move(data);
    engine.feed(id, std::move(r), now);
  }
  void fetched(uint32_t id, uint32_t status, std::string body, double now) {
    Result r;
    r.kind = ActionKind::Fetch;
    r.fetch.outcome = FetchOutcome::Ok;
    r.fetch.status = status;
    r.fetch.body = std::move(body);
    engine.feed(id, std::move(r), now);
  }
};

}  // namespace

TEST_CASE("Engine: GCP workload identity — JWT for the provider, STS, impersonation, Bearer on GCS; 3 cold → 1",
          "[gcs][gcp][engine]") {
  WifHost h;
  const double now = 1796580000000.0;
  std::vector<uint32_t> ids = {h.begin(now), h.begin(now), h.begin(now)};
  Action a = h.engine.next(ids[0], now);
  REQUIRE(a.kind == ActionKind::CacheMatch);
  const std::string l2 = a.call.name;
  CHECK_THAT(l2, Catch::StartsWith("https://sts-creds.cache.internal/v1/%2F%2Fiam.googleapis.com"));
  for (size_t i = 1; i < ids.size(); ++i) REQUIRE(h.engine.next(ids[i], now).kind == ActionKind::Wait);
  h.feed(ids[0], ActionKind::CacheMatch, false, "", now);
  a = h.engine.next(ids[0], now);
  REQUIRE(a.kind == ActionKind::Random);
  h.feed(ids[0], ActionKind::Random, true, std::string(16, 'r'), now);
  a = h.engine.next(ids[0], now);
  REQUIRE(a.kind == ActionKind::SignRs256);
  const std::string input = a.call.data;
  std::string claims;
  REQUIRE(b64::decode_url(input.substr(input.find('.') + 1), claims));
  CHECK_THAT(claims, Catch::Contains(std::string("\"aud\":\"https:") + kProvider + "\""));
  CHECK_THAT(claims, Catch::Contains("\"sub\":\"s3-edge-proxy:acme/data\""));
  h.feed(ids[0], ActionKind::SignRs256, true, "sig", now);
  a = h.engine.next(ids[0], now);
  REQUIRE(a.kind == ActionKind::Fetch);
  CHECK(a.fetch.url == "https://sts.googleapis.com/v1/token");
  CHECK_THAT(a.fetch.body.bytes, Catch::Contains("&subject_token=" + input.substr(0, 10)));
  h.fetched(ids[0], 200, R"({"access_token":"ya29.fed","token_type":"Bearer","expires_in":3600})", now + 10);
  CHECK(h.engine.take_wakeups().empty());  // not done: the impersonation round is next
  a = h.engine.next(ids[0], now + 10);
  REQUIRE(a.kind == ActionKind::Fetch);
  CHECK_THAT(a.fetch.url, Catch::EndsWith("/serviceAccounts/reader@proj.iam.gserviceaccount.com:generateAccessToken"));
  CHECK(*find_header(a.fetch.headers, "authorization") == "Bearer ya29.fed");
  h.fetched(ids[0], 200, R"({"accessToken":"ya29.sa","expireTime":"2026-12-06T19:00:00Z"})", now + 20);
  CHECK(h.engine.take_wakeups().size() == 2);
  a = h.engine.next(ids[0], now + 20);
  REQUIRE(a.kind == ActionKind::Spawn);  // the L2 write: the normalized document, sealed to the L1 key
  const uint32_t writer = a.number;
  Action seal = h.engine.next(writer, now + 20);
  REQUIRE(seal.kind == ActionKind::Seal);
  CHECK_THAT(seal.call.data, Catch::EndsWith("gcp-token/1\n1796583600000\nya29.sa"));
  CHECK(seal.call.aad == l2 + "\n" + gcp_l1_key(h.engine.config().backends.at("g")->gcp));
  h.engine.release(writer);
  a = h.engine.next(ids[0], now + 20);
  REQUIRE(a.kind == ActionKind::Fetch);
  CHECK(a.fetch.url == "https://storage.googleapis.com/open-data/p/k");
  CHECK(*find_header(a.fetch.headers, "authorization") == "Bearer ya29.sa");
  for (size_t i = 1; i < ids.size(); ++i) {
    Result w;
    w.kind = ActionKind::Wait;
    w.flag = true;
    h.engine.feed(ids[i], std::move(w), now + 21);
    Action b = h.engine.next(ids[i], now + 21);
    REQUIRE(b.kind == ActionKind::Fetch);
    CHECK(*find_header(b.fetch.headers, "authorization") == "Bearer ya29.sa");
  }
  for (uint32_t id : ids) h.engine.release(id);
}
