#include "worker/creds/credential_source.h"

#include <cmath>

#include "worker/creds/entra_source.h"
#include "worker/creds/gcp_source.h"
#include "worker/creds/l2_entry.h"
#include "worker/creds/sts_request.h"
#include "worker/crypto/sha256.h"

namespace s3p {

namespace {

// AssumeRoleWithWebIdentity with a JWT the proxy mints for the backend's subject.
class WebIdentitySource : public CredentialSource {
 public:
  explicit WebIdentitySource(const WebIdentityAuth& auth) : auth_(auth) {
    l1_key_ = web_identity_l1_key(auth);
    l2_key_ = l2::cache_key(auth.role_arn, auth.session_name);
    l2_binding_ = l2::seal_binding(l2_key_, auth.subject);
  }
  std::string_view role_arn() const override { return auth_.role_arn; }
  std::string_view session_name() const override { return auth_.session_name; }
  bool needs_token() const override { return true; }
  std::string_view token_subject() const override { return auth_.subject; }
  FetchAction sts_request(const FederationSettings& s, const Inputs& in, double) const override {
    return sts_fetch(s, auth_, in.token);
  }

 private:
  const WebIdentityAuth& auth_;
};

// AssumeRole signed with base keys, or with a web-identity session (role chaining), optionally with an ExternalId.
class AssumeRoleSource : public CredentialSource {
 public:
  explicit AssumeRoleSource(const AssumeRoleAuth& auth) : auth_(auth) {
    if (auth.source) base_ = std::make_unique<WebIdentitySource>(*auth.source);
    l1_key_ = assume_role_l1_key(auth);
    // One Cache API entry per distinct exchange: the role and session (readable) and a digest of every input.
    l2_key_ = l2::cache_key(auth.role_arn, auth.session_name) + "/" + crypto::hex(crypto::sha256(l1_key_));
    l2_binding_ = l2::seal_binding(l2_key_, l1_key_);
  }
  std::string_view role_arn() const override { return auth_.role_arn; }
  std::string_view session_name() const override { return auth_.session_name; }
  bool needs_token() const override { return false; }
  const CredentialSource* base_source() const override { return base_.get(); }
  // Chained: the base's exchange, then this one, each with the STS timeout.
  double exchange_timeout_ms(const FederationSettings& s) const override {
    return static_cast<double>(s.sts_timeout_ms) * (base_ ? 2 : 1);
  }
  FetchAction sts_request(const FederationSettings& s, const Inputs& in, double now_ms) const override {
    const int64_t now_s = static_cast<int64_t>(std::floor(now_ms / 1000));
    if (base_) return in.base ? assume_role_fetch(s, auth_, *in.base, now_s) : FetchAction{};
    return assume_role_fetch(s, auth_, {auth_.access_key_id, auth_.secret_access_key, ""}, now_s);
  }

 private:
  const AssumeRoleAuth& auth_;
  std::unique_ptr<CredentialSource> base_;  // chained: the web-identity session that signs the call
};

}  // namespace

// Credentials are the role's for this subject, session and duration: two backends differing in any of them never
// share an L1 entry (a subject's trust may differ even when its sanitized session name does not).
std::string web_identity_l1_key(const WebIdentityAuth& auth) {
  std::string key = auth.role_arn;
  key += '\n';  // cannot occur in an ARN or a sanitized session name
  key += auth.session_name;
  key += '\n';
  key += std::to_string(auth.duration_seconds);
  key += '\n';
  key += auth.subject;  // last: it may hold any byte but the ones a config string cannot
  return key;
}

// Starts with a word no role ARN can be, so it never equals a web identity key (and another for a chained call, so
// it never equals a keyed one). Each field but the last is one a '\n' cannot occur in (validated or sanitized at
// load); the last — the base key id, or the chained source's key — may hold one.
std::string assume_role_l1_key(const AssumeRoleAuth& auth) {
  std::string key = auth.source ? "assume_role chained\n" : "assume_role\n";
  key += auth.role_arn;
  key += '\n';
  key += auth.session_name;
  key += '\n';
  key += std::to_string(auth.duration_seconds);
  key += '\n';
  key += auth.external_id;
  key += '\n';
  key += auth.sts_region;
  key += '\n';
  key += auth.source ? web_identity_l1_key(*auth.source) : auth.access_key_id;
  return key;
}

bool CredentialSource::outcome(int, const FetchResult& r, double, StsResponse& out, FlightFailure& failure) const {
  return sts_outcome(r, out, failure);
}

StsResponse CredentialSource::parse_l2(std::string_view document) const { return parse_sts_response(document); }

std::unique_ptr<CredentialSource> credential_source(const Backend& backend) {
  switch (backend.auth) {
    case BackendAuth::WebIdentity: return std::make_unique<WebIdentitySource>(backend.web_identity);
    case BackendAuth::AssumeRole: return std::make_unique<AssumeRoleSource>(backend.assume_role);
    case BackendAuth::GcpWorkloadIdentity: return gcp_source(backend.gcp);
    case BackendAuth::EntraWorkloadIdentity: return entra_source(backend.entra);
    case BackendAuth::Anonymous:
    case BackendAuth::Static:
    case BackendAuth::SharedKey:
    case BackendAuth::Sas: break;  // no exchange: the key (or the SAS the host holds) is the credential
  }
  return nullptr;
}

}  // namespace s3p
