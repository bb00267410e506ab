// Azure backends beyond Shared Key (config/entra_auth.h, creds/entra_source.h, dialect/azure_dialect.cpp): a SAS the
// host appends (the core holds only its secret's name), and Entra workload identity's exchange and bearer requests;
// config errors name the field.
#include <catch2/catch.hpp>

#include <string>

#include "federation_fixture.h"
#include "worker/config/config.h"
#include "worker/creds/entra_source.h"
#include "worker/dialect/azure_dialect.h"
#include "worker/dialect/dialect.h"
#include "worker/sign/azure_shared_key.h"

using namespace s3p;

namespace {

constexpr int64_t kNow = 1796580000;  // Sun, 06 Dec 2026 18:00:00 GMT
const char* const kTenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const char* const kClient = "00000000-1111-2222-3333-444444444444";

Backend azure_backend(BackendAuth auth) {
  Backend b;
  b.name = "az";
  b.dialect = BackendDialect::Azure;
  b.scheme = "https";
  b.authority = "acct.blob.core.windows.net";
  b.account = "acct";
  b.bucket = "data";
  b.auth = auth;
  b.sas_secret = "AZ_SAS";
  return b;
}

std::string header(const FetchAction& f, std::string_view name) {
  const std::string* v = find_header(f.headers, name);
  return v ? *v : "<absent>";
}

std::string load(const std::string& auth, Env extra = {}, bool federation = true) {
  const std::string fed = federation ? R"("federation": {"issuer": "https://proxy.example.org", "signing_key_secret": "OIDC_KEY",
      "sts_endpoint": "https://sts.example.org", "l2_key_secret": "L2_KEY"},)"
                                     : "";
  const std::string json = "{" + fed + R"("backends": {"az": {"dialect": "azure", "endpoint": "https://acct.blob.core.windows.net",
      "account": "acct", "container": "data", "auth": )" + auth + R"(}},
    "accounts": {"acct": {"repositories": {"r": {"backend": "az", "prefix": "p/", "public": true}}}}})";
  Env env = fedtest::env();
  for (auto& [k, v] : extra) env[k] = v;
  Config cfg;
  std::string error;
  if (!load_config(json, env, cfg, error)) return "<refused: " + error + ">";
  const Backend& b = *cfg.backends.at("az");
  if (b.auth == BackendAuth::Sas) return "sas " + b.sas_secret;
  if (b.auth == BackendAuth::EntraWorkloadIdentity)
    return "entra " + b.entra.token_url + " " + b.entra.client_id + " " + b.entra.token_audience + " " + b.entra.scope +
           " " + b.entra.subject;
  return "other";
}

EntraWorkloadIdentityAuth entra() {
  EntraWorkloadIdentityAuth a;
  a.tenant_id = kTenant;
  a.client_id = kClient;
  a.subject = "s3-edge-proxy:acme/data";
  a.token_url = a.authority + "/" + a.tenant_id + "/oauth2/v2.0/token";
  return a;
}

FetchResult answer(uint32_t status, std::string body) {
  FetchResult r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace

TEST_CASE("config: an azure SAS backend names its Worker secret; the value must be a SAS (or the host's stand-in)",
          "[azure][config]") {
  const std::string sas = R"({"type": "sas", "sas_token_secret": "AZ_SAS"})";
  CHECK(load(sas, {{"AZ_SAS", "?sv=2021-08-06&sr=c&sp=rl&se=2026-12-07T00%3A00%3A00Z&sig=abc%2Bdef%3D"}}) == "sas AZ_SAS");
  CHECK(load(sas, {{"AZ_SAS", kSasHeldByHost}}, false) == "sas AZ_SAS");  // needs no federation section
  CHECK(load(sas) == "<refused: backends.az.auth.sas_token_secret: Worker secret \"AZ_SAS\" is not set>");
  const std::string shape = "<refused: backends.az.auth.sas_token_secret: Worker secret \"AZ_SAS\" is not a SAS query "
                            "string (sv=…&se=…&sig=…)>";
  CHECK(load(sas, {{"AZ_SAS", "not a SAS"}}) == shape);                    // the host's stand-in for a bad value
  CHECK(load(sas, {{"AZ_SAS", "sv=2021-08-06&sp=r"}}) == shape);           // no sig
  CHECK(load(sas, {{"AZ_SAS", "sv=2021-08-06&sig=a b"}}) == shape);        // a space
  CHECK(load(sas, {{"AZ_SAS", "sv=2021-08-06&sig=a\r\nx: y"}}) == shape);  // a header injection
  CHECK(load(sas, {{"AZ_SAS", "sv=1&&sig=2"}}) == shape);
  CHECK(load(R"({"type": "sas"})") == "<refused: backends.az.auth.sas_token_secret: is required>");
  CHECK(load(R"({"type": "sas", "sas_token_secret": "AZ_SAS", "sas_token": "x"})", {{"AZ_SAS", kSasHeldByHost}}) ==
        "<refused: backends.az.auth.sas_token: is not a sas field>");
  CHECK(load(R"({"type": "hmac"})") == "<refused: backends.az.auth.type: must be \"anonymous\", \"shared_key\", \"sas\" or "
                                       "\"entra_workload_identity\" on an azure backend>");
  CHECK(sas_problem("sv=2021-08-06&ss=b&srt=co&sp=rl&se=2026-12-07T00:00:00Z&spr=https&sig=x%3D").empty());  // account SAS
}

TEST_CASE("config: an azure Entra workload identity backend (defaults, errors naming the field)", "[azure][config][entra]") {
  const std::string base = std::string(R"({"type": "entra_workload_identity", "tenant_id": ")") + kTenant +
                           R"(", "client_id": ")" + kClient + R"(", "subject": "s3-edge-proxy:acme")";
  CHECK(load(base + "}") == std::string("entra https://login.microsoftonline.com/") + kTenant + "/oauth2/v2.0/token " +
                                kClient + " api://AzureADTokenExchange https://storage.azure.com/.default s3-edge-proxy:acme");
  CHECK(load(base + R"(, "authority": "http://127.0.0.1:9000/__entra/", "token_audience": "api://Other"})") ==
        std::string("entra http://127.0.0.1:9000/__entra/") + kTenant + "/oauth2/v2.0/token " + kClient +
            " api://Other https://storage.azure.com/.default s3-edge-proxy:acme");
  CHECK(load(base + "}", {}, false) ==
        "<refused: backends.az.auth.type: entra_workload_identity needs a \"federation\" section (the proxy's OIDC "
        "issuer and l2_key_secret)>");
  CHECK(load(base + R"(, "authority": "http://login.example.org"})") ==
        "<refused: backends.az.auth.authority: must be an https:// URL (http only for localhost)>");
  CHECK(load(base + R"(, "scope": "https://storage.azure.com/user_impersonation"})").find("backends.az.auth.scope: ") !=
        std::string::npos);
  CHECK(load(base + R"(, "client_secret": "x"})") ==
        "<refused: backends.az.auth.client_secret: is not an entra_workload_identity field>");
  CHECK(load(R"({"type": "entra_workload_identity", "tenant_id": "common/../x", "client_id": ")" + std::string(kClient) +
             R"(", "subject": "s"})") == "<refused: backends.az.auth.tenant_id: must be the tenant's GUID or domain name>");
  CHECK(load(R"({"type": "entra_workload_identity", "tenant_id": "contoso.onmicrosoft.com", "client_id": "app", "subject": "s"})") ==
        "<refused: backends.az.auth.client_id: must be the application (client) id, a GUID>");
  CHECK(load(R"({"type": "entra_workload_identity", "tenant_id": "contoso.onmicrosoft.com", "client_id": ")" +
             std::string(kClient) + R"("})") == "<refused: backends.az.auth.subject: is required>");
}

TEST_CASE("azure dialect: a SAS request carries no Authorization; the host appends the secret it names", "[azure][dialect]") {
  const Backend b = azure_backend(BackendAuth::Sas);
  sigv4::SigningKeyCache keys;
  const BackendCredentials creds = BackendCredentials::azure_sas(b.sas_secret);
  const Headers forwarded = {{"range", "bytes=0-4"}};
  const FetchAction f = dialect::of(b).read(b, {false, "p/a b.txt", &forwarded, nullptr}, &creds, {kNow, keys});
  CHECK(f.url == "https://acct.blob.core.windows.net/data/p/a%20b.txt");  // the SAS is not in the core's URL
  CHECK(f.url_secret == "AZ_SAS");
  CHECK(f.url_secret_header.empty());
  CHECK(header(f, "authorization") == "<absent>");
  CHECK(header(f, "x-ms-version") == std::string(azure::kApiVersion));
  CHECK(header(f, "range") == "bytes=0-4");
  // A listing: its query first, the host adds '&' + the SAS.
  dialect::ListCall call;
  call.prefix = "p/";
  const FetchAction l = dialect::of(b).list(b, call, &creds, {kNow, keys});
  CHECK(l.url.find("?comp=list") != std::string::npos);
  CHECK(l.url_secret == "AZ_SAS");
  // Copy Blob: the source URL gets the SAS too.
  dialect::ObjectWrite w;
  w.step = dialect::WriteStep::Copy;
  w.key = "p/dst.txt";
  w.copy_source = &b;
  w.copy_source_key = "p/src.txt";
  w.length = 0;
  const FetchAction c = dialect::of(b).write(b, w, &creds, {kNow, keys});
  CHECK(header(c, "x-ms-copy-source") == "https://acct.blob.core.windows.net/data/p/src.txt");
  CHECK(c.url_secret == "AZ_SAS");
  CHECK(c.url_secret_header == "x-ms-copy-source");
  // No credentials, no secret.
  CHECK(dialect::of(b).read(b, {false, "p/a", nullptr, nullptr}, nullptr, {kNow, keys}).url_secret.empty());
}

TEST_CASE("azure dialect: an Entra token goes as Authorization: Bearer with x-ms-version >= 2017-11-09", "[azure][dialect][entra]") {
  const Backend b = azure_backend(BackendAuth::EntraWorkloadIdentity);
  sigv4::SigningKeyCache keys;
  const BackendCredentials creds = BackendCredentials::bearer_token("eyJ0.token");
  const FetchAction f = dialect::of(b).read(b, {true, "p/k", nullptr, nullptr}, &creds, {kNow, keys});
  CHECK(f.method == "HEAD");
  CHECK(header(f, "authorization") == "Bearer eyJ0.token");
  CHECK(std::string(azure::kApiVersion) >= "2017-11-09");
  CHECK(header(f, "x-ms-version") == std::string(azure::kApiVersion));
  CHECK(f.url_secret.empty());
  const BackendCredentials broken = BackendCredentials::bearer_token("a\r\nx-ms-meta-a: b");
  CHECK(dialect::of(b).read(b, {false, "p/k", nullptr, nullptr}, &broken, {kNow, keys}).url.empty());
  const BackendCredentials empty = BackendCredentials::bearer_token("");
  CHECK(dialect::of(b).read(b, {false, "p/k", nullptr, nullptr}, &empty, {kNow, keys}).url.empty());
}

TEST_CASE("azure errors: a SAS's refusal is AccessDenied (403), a Shared Key's a config fault", "[azure][dialect]") {
  FetchResult r = answer(403, "");
  r.headers = {{"x-ms-error-code", "AuthenticationFailed"}};
  CHECK(dialect::classify_answer(azure_backend(BackendAuth::Sas), r).error == BackendError::Forbidden);
  CHECK(dialect::classify_answer(azure_backend(BackendAuth::SharedKey), r).error == BackendError::CredentialsRefused);
  r.headers = {{"x-ms-error-code", "AuthorizationPermissionMismatch"}};
  CHECK(dialect::classify_answer(azure_backend(BackendAuth::Sas), r).error == BackendError::Forbidden);
  r.headers = {{"x-ms-error-code", "BlobNotFound"}};
  r.status = 404;
  CHECK(dialect::classify_answer(azure_backend(BackendAuth::Sas), r).error == BackendError::NoSuchKey);
}

TEST_CASE("entra exchange: the client-credentials form with the assertion; answers and AADSTS errors", "[azure][entra]") {
  const EntraWorkloadIdentityAuth a = entra();
  const FetchAction f = entra_token_fetch(a, "h.c.s");
  CHECK(f.method == "POST");
  CHECK(f.url == std::string("https://login.microsoftonline.com/") + kTenant + "/oauth2/v2.0/token");
  CHECK(header(f, "content-type") == "application/x-www-form-urlencoded");
  CHECK(f.body.bytes == std::string("client_id=") + kClient +
                            "&scope=https%3A%2F%2Fstorage.azure.com%2F.default&grant_type=client_credentials"
                            "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
                            "&client_assertion=h.c.s");
  CHECK(f.mode == ResponseMode::Buffer);

  const double now = 1796580000000.0;
  StsResponse got;
  FlightFailure failure;
  REQUIRE(entra_outcome(answer(200, R"({"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ.tok"})"),
                        now, got, failure));
  CHECK(got.creds.session_token == "eyJ.tok");
  CHECK(got.expiration_ms == 1796580000000 + 3599000);
  REQUIRE(entra_outcome(answer(200, R"({"token_type":"Bearer","expires_in":"3600","access_token":"t"})"), now, got, failure));
  CHECK(got.expiration_ms == 1796583600000);
  CHECK_FALSE(entra_outcome(answer(200, R"({"token_type":"mac","expires_in":1,"access_token":"t"})"), now, got, failure));
  CHECK(failure.error == &errors::BadGateway);
  CHECK_FALSE(entra_outcome(answer(200, R"({"token_type":"Bearer","access_token":"t"})"), now, got, failure));
  CHECK(failure.detail == "entra token HTTP 200: access token without a usable expiry");
  CHECK_FALSE(entra_outcome(answer(200, R"({"token_type":"Bearer","expires_in":5,"access_token":"a b"})"), now, got, failure));
  CHECK_FALSE(entra_outcome(answer(401, R"({"error":"invalid_client","error_description":"AADSTS700213: No matching federated identity record found for presented assertion subject 'x'.","error_codes":[700213]})"),
                            now, got, failure));
  CHECK(failure.error == &errors::BadGateway);
  CHECK_THAT(failure.detail, Catch::StartsWith("entra token HTTP 401 invalid_client: AADSTS700213: No matching"));
  CHECK_FALSE(entra_outcome(answer(400, "<html>"), now, got, failure));
  CHECK(failure.detail == "entra token HTTP 400: unparseable error");
  CHECK_FALSE(entra_outcome(answer(503, R"({"error":"temporarily_unavailable"})"), now, got, failure));
  CHECK(failure.error == &errors::ServiceUnavailable);
  FetchResult timeout;
  timeout.outcome = FetchOutcome::Timeout;
  CHECK_FALSE(entra_outcome(timeout, now, got, failure));
  CHECK(failure.error == &errors::ServiceUnavailable);
}

TEST_CASE("entra tiers: the L1 key holds every input; the L2 document reads back, sealed to the L1 key", "[azure][entra]") {
  const EntraWorkloadIdentityAuth a = entra();
  const std::string k = entra_l1_key(a);
  for (auto change : {+[](EntraWorkloadIdentityAuth& x) { x.subject += "x"; },
                      +[](EntraWorkloadIdentityAuth& x) { x.client_id[0] = '9'; },
                      +[](EntraWorkloadIdentityAuth& x) { x.token_audience += "x"; },
                      +[](EntraWorkloadIdentityAuth& x) { x.scope = "https://other/.default"; },
                      +[](EntraWorkloadIdentityAuth& x) { x.token_url += "x"; }}) {
    EntraWorkloadIdentityAuth b = a;
    change(b);
    CHECK(entra_l1_key(b) != k);
  }
  const auto src = entra_source(a);
  CHECK_THAT(src->l2_key(), Catch::StartsWith("https://sts-creds.cache.internal/v1/entra%2F72f988bf"));
  CHECK_THAT(src->l2_binding(), Catch::EndsWith(k));
  CHECK(src->token_audience() == "api://AzureADTokenExchange");
  CHECK(src->token_subject() == "s3-edge-proxy:acme/data");
  StsResponse got;
  got.creds.session_token = "eyJ.tok";
  got.expiration_ms = 1796583600000;
  const std::string doc = entra_l2_document(got);
  CHECK(doc == "entra-token/1\n1796583600000\neyJ.tok");
  const StsResponse back = entra_parse_l2(doc);
  CHECK(back.kind == StsResponse::Kind::Credentials);
  CHECK(back.creds.session_token == "eyJ.tok");
  CHECK(back.expiration_ms == 1796583600000);
  CHECK(entra_parse_l2("gcp-token/1\n1\nx").kind != StsResponse::Kind::Credentials);
  CHECK(entra_parse_l2("entra-token/1\n12x\nt").kind != StsResponse::Kind::Credentials);
}
