#include "worker/creds/gcp_source.h"

#include <cmath>

#include "worker/http/json.h"

#include "worker/creds/bearer_token.h"
#include "worker/creds/l2_entry.h"
#include "worker/crypto/sha256.h"
#include "worker/http/json_escape.h"
#include "worker/rules/iso8601.h"

namespace s3p {

namespace {


constexpr uint32_t kMaxAnswer = 64 * 1024;  // a real answer is ~1-2 KB
constexpr std::string_view kL2Head = "gcp-token/1\n";
constexpr size_t kMaxToken = 8192;  // a Google access token is ~200-2,000 bytes




bool transient(uint32_t status) { return status >= 500 || status == 429; }

class GcpSource : public CredentialSource {
 public:
  explicit GcpSource(const GcpWorkloadIdentityAuth& auth) : auth_(auth) {
    l1_key_ = gcp_l1_key(auth);
    // One Cache API entry per distinct exchange: the provider and account (readable), and a digest of every input.
    l2_key_ = l2::cache_key(auth.audience, auth.service_account.empty() ? "federated" : auth.service_account) + "/" +
              crypto::hex(crypto::sha256(l1_key_));
    l2_binding_ = l2::seal_binding(l2_key_, l1_key_);
  }
  std::string_view role_arn() const override { return auth_.audience; }
  std::string_view session_name() const override {
    return auth_.service_account.empty() ? std::string_view(auth_.subject) : std::string_view(auth_.service_account);
  }
  bool needs_token() const override { return true; }
  std::string_view token_subject() const override { return auth_.subject; }
  std::string_view token_audience() const override { return auth_.token_audience; }
  double exchange_timeout_ms(const FederationSettings&) const override {
    return static_cast<double>(auth_.timeout_ms) * (auth_.service_account.empty() ? 1 : 2);
  }
  FetchAction sts_request(const FederationSettings&, const Inputs& in, double) const override {
    return gcp_sts_fetch(auth_, in.token);
  }
  bool outcome(int round, const FetchResult& r, double now_ms, StsResponse& out, FlightFailure& failure) const override {
    return gcp_outcome(round, r, now_ms, out, failure);
  }
  FetchAction follow_up(int round, const StsResponse& got, double) const override {
    if (round != 0 || auth_.service_account.empty()) return {};
    return gcp_impersonation_fetch(auth_, got.creds.session_token);
  }
  std::string l2_document(const FetchResult&, const StsResponse& got) const override { return gcp_l2_document(got); }
  StsResponse parse_l2(std::string_view document) const override { return gcp_parse_l2(document); }

 private:
  const GcpWorkloadIdentityAuth& auth_;
};

}  // namespace

// Every input of the exchange; starts with a word no role ARN or assume_role key starts with. The subject, which
// may hold any byte a config string can, comes last.
std::string gcp_l1_key(const GcpWorkloadIdentityAuth& a) {
  std::string key = "gcp\n";
  for (const std::string* f : {&a.audience, &a.token_audience, &a.service_account, &a.scope, &a.sts_url, &a.iam_url}) {
    key += *f;
    key += '\n';
  }
  key += std::to_string(a.service_account.empty() ? 0 : a.lifetime_s);
  key += '\n';
  key += a.subject;
  return key;
}

std::string gcp_sts_form(const GcpWorkloadIdentityAuth& auth, std::string_view token) {
  std::string form;
  bearer::form_param(form, "grant_type", "urn:ietf:params:oauth:grant-type:token-exchange");
  bearer::form_param(form, "audience", auth.audience);
  // Impersonation needs cloud-platform on the federated token (iamcredentials checks it); without it, the token
  // is used on GCS itself and gets the configured scope.
  bearer::form_param(form, "scope", auth.service_account.empty() ? auth.scope : "https://www.googleapis.com/auth/cloud-platform");
  bearer::form_param(form, "requested_token_type", "urn:ietf:params:oauth:token-type:access_token");
  bearer::form_param(form, "subject_token", token);
  bearer::form_param(form, "subject_token_type", "urn:ietf:params:oauth:token-type:jwt");
  return form;
}

FetchAction gcp_sts_fetch(const GcpWorkloadIdentityAuth& auth, std::string_view token) {
  FetchAction f;
  f.method = "POST";
  f.url = auth.sts_url;
  f.headers = {{"content-type", "application/x-www-form-urlencoded"}, {"accept", "application/json"}};
  f.body = Body{BodyKind::Bytes, gcp_sts_form(auth, token), 0};
  f.timeout_ms = auth.timeout_ms;
  f.mode = ResponseMode::Buffer;
  f.max_body = kMaxAnswer;
  return f;
}

FetchAction gcp_impersonation_fetch(const GcpWorkloadIdentityAuth& auth, std::string_view federated_token) {
  FetchAction f;
  f.method = "POST";
  f.url = auth.iam_url + "/v1/projects/-/serviceAccounts/" + auth.service_account + ":generateAccessToken";
  f.headers = {{"content-type", "application/json"},
               {"accept", "application/json"},
               {"authorization", "Bearer " + std::string(federated_token)}};
  std::string body = "{\"scope\":[\"";
  append_json_escaped(body, auth.scope);
  body += "\"],\"lifetime\":\"" + std::to_string(auth.lifetime_s) + "s\"}";
  f.body = Body{BodyKind::Bytes, std::move(body), 0};
  f.timeout_ms = auth.timeout_ms;
  f.mode = ResponseMode::Buffer;
  f.max_body = kMaxAnswer;
  return f;
}

bool gcp_outcome(int round, const FetchResult& r, double now_ms, StsResponse& out, FlightFailure& failure) {
  const std::string who = round == 0 ? "gcp sts" : "gcp iamcredentials";
  const std::string http = who + " HTTP " + std::to_string(r.status);
  switch (r.outcome) {
    case FetchOutcome::Ok: break;
    case FetchOutcome::Timeout: failure = {&errors::ServiceUnavailable, who + " timeout: " + r.error}; return false;
    case FetchOutcome::NetworkError:
    case FetchOutcome::BodySignatureMismatch:
    case FetchOutcome::BodyMalformed:
    case FetchOutcome::BodyDigestMismatch:
    case FetchOutcome::BodyHashMismatch:
      failure = {&errors::ServiceUnavailable, who + " transport: " + r.error};
      return false;
    case FetchOutcome::BodyTooLarge: failure = {&errors::BadGateway, http + ": response too large"}; return false;
  }
  json::Value j = json::parse(r.body);
  if (r.status != 200) {
    std::string code, message;
    if (j.is_object()) {
      const auto e = j.find("error");
      if (e != j.end() && e->is_string()) {  // Google STS: OAuth's {"error", "error_description"}
        code = e->get<std::string>();
        if (auto d = j.find("error_description"); d != j.end() && d->is_string()) message = d->get<std::string>();
      } else if (e != j.end() && e->is_object()) {  // iamcredentials: {"error": {"code", "message", "status"}}
        if (auto s = e->find("status"); s != e->end() && s->is_string()) code = s->get<std::string>();
        if (auto m = e->find("message"); m != e->end() && m->is_string()) message = m->get<std::string>();
      }
    }
    const S3Error* error = transient(r.status)               ? &errors::ServiceUnavailable
                           : code == "PERMISSION_DENIED"     ? &errors::AccessDenied
                                                             : &errors::BadGateway;
    failure = {error, http + (code.empty() ? ": unparseable error" : " " + bearer::log_detail(code) + ": " + bearer::log_detail(message))};
    return false;
  }
  std::string token;
  int64_t expires_ms = 0;
  bool has_expiry = false;
  if (j.is_object()) {
    const char* token_field = round == 0 ? "access_token" : "accessToken";
    if (auto t = j.find(token_field); t != j.end() && t->is_string()) token = t->get<std::string>();
    if (round == 0) {
      auto type = j.find("token_type");
      if (type != j.end() && !(type->is_string() && (type->string_ref() == "Bearer" || type->string_ref() == "bearer"))) token.clear();
      if (auto e = j.find("expires_in"); e != j.end() && e->is_number() && e->get<double>() > 0 && e->get<double>() < 1e7) {
        expires_ms = static_cast<int64_t>(std::floor(now_ms)) + static_cast<int64_t>(e->get<double>() * 1000);
        has_expiry = true;
      }
    } else if (auto e = j.find("expireTime"); e != j.end() && e->is_string()) {
      has_expiry = parse_iso8601_ms(e->get<std::string>(), expires_ms);
    }
  }
  return bearer::token_answer(std::move(token), has_expiry, expires_ms, kMaxToken, http, out, failure);
}

std::string gcp_l2_document(const StsResponse& got) { return bearer::l2_document(kL2Head, got); }

StsResponse gcp_parse_l2(std::string_view doc) { return bearer::parse_l2_document(kL2Head, doc, kMaxToken); }

std::unique_ptr<CredentialSource> gcp_source(const GcpWorkloadIdentityAuth& auth) {
  return std::make_unique<GcpSource>(auth);
}

}  // namespace s3p
