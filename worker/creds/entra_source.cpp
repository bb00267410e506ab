#include "worker/creds/entra_source.h"

#include <cmath>

#include "worker/http/json.h"

#include "worker/creds/bearer_token.h"
#include "worker/creds/l2_entry.h"
#include "worker/crypto/sha256.h"

namespace s3p {

namespace {


constexpr uint32_t kMaxAnswer = 64 * 1024;  // a real answer is ~1.5-3 KB (the token is a JWT)
constexpr std::string_view kL2Head = "entra-token/1\n";
constexpr size_t kMaxToken = 16384;  // an Entra access token (a JWT) is ~1.5-3 KB




class EntraSource : public CredentialSource {
 public:
  explicit EntraSource(const EntraWorkloadIdentityAuth& auth) : auth_(auth) {
    l1_key_ = entra_l1_key(auth);
    // One Cache API entry per distinct exchange: the tenant and app (readable), and a digest of every input.
    l2_key_ = l2::cache_key("entra/" + auth.tenant_id, auth.client_id) + "/" + crypto::hex(crypto::sha256(l1_key_));
    l2_binding_ = l2::seal_binding(l2_key_, l1_key_);
  }
  // For the log: the app and the subject it federates (no secret).
  std::string_view role_arn() const override { return auth_.client_id; }
  std::string_view session_name() const override { return auth_.subject; }
  bool needs_token() const override { return true; }
  std::string_view token_subject() const override { return auth_.subject; }
  std::string_view token_audience() const override { return auth_.token_audience; }
  double exchange_timeout_ms(const FederationSettings&) const override { return auth_.timeout_ms; }
  FetchAction sts_request(const FederationSettings&, const Inputs& in, double) const override {
    return entra_token_fetch(auth_, in.token);
  }
  bool outcome(int, const FetchResult& r, double now_ms, StsResponse& out, FlightFailure& failure) const override {
    return entra_outcome(r, now_ms, out, failure);
  }
  std::string l2_document(const FetchResult&, const StsResponse& got) const override { return entra_l2_document(got); }
  StsResponse parse_l2(std::string_view document) const override { return entra_parse_l2(document); }

 private:
  const EntraWorkloadIdentityAuth& auth_;
};

}  // namespace

// Every input of the exchange; starts with a word no role ARN or other source's key starts with. The subject, which
// may hold any printable character, comes last.
std::string entra_l1_key(const EntraWorkloadIdentityAuth& a) {
  std::string key = "entra\n";
  for (const std::string* f : {&a.token_url, &a.client_id, &a.token_audience, &a.scope}) {
    key += *f;
    key += '\n';
  }
  key += a.subject;
  return key;
}

std::string entra_token_form(const EntraWorkloadIdentityAuth& auth, std::string_view assertion) {
  std::string form;
  bearer::form_param(form, "client_id", auth.client_id);
  bearer::form_param(form, "scope", auth.scope);
  bearer::form_param(form, "grant_type", "client_credentials");
  bearer::form_param(form, "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
  bearer::form_param(form, "client_assertion", assertion);
  return form;
}

FetchAction entra_token_fetch(const EntraWorkloadIdentityAuth& auth, std::string_view assertion) {
  FetchAction f;
  f.method = "POST";
  f.url = auth.token_url;
  f.headers = {{"content-type", "application/x-www-form-urlencoded"}, {"accept", "application/json"}};
  f.body = Body{BodyKind::Bytes, entra_token_form(auth, assertion), 0};
  f.timeout_ms = auth.timeout_ms;
  f.mode = ResponseMode::Buffer;
  f.max_body = kMaxAnswer;
  return f;
}

bool entra_outcome(const FetchResult& r, double now_ms, StsResponse& out, FlightFailure& failure) {
  const std::string http = "entra token HTTP " + std::to_string(r.status);
  switch (r.outcome) {
    case FetchOutcome::Ok: break;
    case FetchOutcome::Timeout: failure = {&errors::ServiceUnavailable, "entra token timeout: " + r.error}; return false;
    case FetchOutcome::NetworkError:
    case FetchOutcome::BodySignatureMismatch:
    case FetchOutcome::BodyMalformed:
      failure = {&errors::ServiceUnavailable, "entra token transport: " + r.error};
      return false;
    case FetchOutcome::BodyTooLarge: failure = {&errors::BadGateway, http + ": response too large"}; return false;
  }
  json::Value j = json::parse(r.body);
  if (r.status != 200) {
    std::string code, message;
    if (j.is_object()) {
      if (auto e = j.find("error"); e != j.end() && e->is_string()) code = e->get<std::string>();
      if (auto d = j.find("error_description"); d != j.end() && d->is_string()) message = d->get<std::string>();
    }
    const bool transient = r.status >= 500 || r.status == 429 || code == "temporarily_unavailable";
    failure = {transient ? &errors::ServiceUnavailable : &errors::BadGateway,
               http + (code.empty() ? ": unparseable error" : " " + bearer::log_detail(code) + ": " + bearer::log_detail(message))};
    return false;
  }
  std::string token;
  int64_t expires_ms = 0;
  bool has_expiry = false;
  if (j.is_object()) {
    if (auto t = j.find("access_token"); t != j.end() && t->is_string()) token = t->get<std::string>();
    auto type = j.find("token_type");
    if (type == j.end() || !(type->is_string() && (type->string_ref() == "Bearer" || type->string_ref() == "bearer"))) token.clear();
    // expires_in: a number of seconds (Entra's v2.0 endpoint), or a string of digits (v1.0's).
    double seconds = 0;
    if (auto e = j.find("expires_in"); e != j.end()) {
      if (e->is_number()) seconds = e->get<double>();
      else if (e->is_string() && !e->get<std::string>().empty() && e->get<std::string>().size() < 9 &&
               e->get<std::string>().find_first_not_of("0123456789") == std::string::npos)
        seconds = std::stod(e->get<std::string>());
    }
    if (seconds > 0 && seconds < 1e7) {
      expires_ms = static_cast<int64_t>(std::floor(now_ms)) + static_cast<int64_t>(seconds * 1000);
      has_expiry = true;
    }
  }
  return bearer::token_answer(std::move(token), has_expiry, expires_ms, kMaxToken, http, out, failure);
}

std::string entra_l2_document(const StsResponse& got) { return bearer::l2_document(kL2Head, got); }

StsResponse entra_parse_l2(std::string_view doc) { return bearer::parse_l2_document(kL2Head, doc, kMaxToken); }

std::unique_ptr<CredentialSource> entra_source(const EntraWorkloadIdentityAuth& auth) {
  return std::make_unique<EntraSource>(auth);
}

}  // namespace s3p
