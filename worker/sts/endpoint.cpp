#include "worker/sts/endpoint.h"

#include <cmath>

#include "worker/auth/authenticate.h"
#include "worker/config/access_keys.h"
#include "worker/crypto/sha256.h"
#include "worker/sts/documents.h"
#include "worker/sts/sts_errors.h"

namespace s3p::sts {
namespace {

// An AssumeRole form is a few hundred bytes; AssumeRoleWithWebIdentity's carries a token of up to
// jwt::kMaxTokenBytes (base64url and dots: form encoding does not grow it).
constexpr uint32_t kMaxFormBytes = 20 * 1024;
constexpr uint32_t kFormDeadlineMs = 10000;

int64_t seconds(double now_ms) { return static_cast<int64_t>(std::floor(now_ms / 1000)); }

}  // namespace

Endpoint::Endpoint(Services services, uint32_t task, std::string method, std::string raw_path, std::string_view raw_query,
                   const Headers& headers, bool has_body, std::string request_id)
    : svc_(services),
      task_(task),
      method_(std::move(method)),
      raw_path_(std::move(raw_path)),
      request_id_(std::move(request_id)),
      query_ok_(http::parse_query(raw_query, query_)),
      headers_(headers),
      has_body_(has_body),
      ns_(services.config) {}

Action Endpoint::next(double now_ms) {
  now_ms_ = now_ms;
  switch (phase_) {
    case Phase::Start: return start();
    case Phase::BodyRead: return after_params();
    case Phase::Session: return drive_session();
    case Phase::Resolving: return drive_resolve();
    case Phase::WebIdentity: return drive_web_identity();
    case Phase::Random: return received_.kind == ActionKind::Random ? on_random(std::move(received_))
                                                                     : fail(host_fault("sts: next() before Random's result"));
    case Phase::Sealing: return received_.kind == ActionKind::Seal ? on_sealed(std::move(received_))
                                                                   : fail(host_fault("sts: next() before Seal's result"));
    case Phase::ReadingBody: return fail(host_fault("sts: next() while the body is awaited"));
    case Phase::Done: break;
  }
  return Action{};
}

void Endpoint::feed(Result&& r, double now_ms) {
  now_ms_ = now_ms;
  if (phase_ == Phase::Session) return open_->feed(std::move(r), now_ms);
  if (phase_ == Phase::Resolving) return resolve_->feed(std::move(r), now_ms);
  if (phase_ == Phase::WebIdentity) return web_->feed(std::move(r), now_ms);
  if (phase_ == Phase::ReadingBody && r.kind == ActionKind::ReadBody) {
    if (!r.flag) {
      fail(client_fault(errors::MalformedInput, "form body: " + (r.error.empty() ? std::string("over the limit") : r.error)));
      return;
    }
    body_sha256_ = crypto::hex(crypto::sha256(r.data));
    if (!http::parse_query(r.data, params_)) {
      fail(client_fault(errors::MalformedInput, "form body does not parse"));
      return;
    }
    phase_ = Phase::BodyRead;
    return;
  }
  if (phase_ == Phase::Random || phase_ == Phase::Sealing) {
    received_ = std::move(r);
    return;
  }
  if (phase_ != Phase::Done) fail(host_fault("sts: unexpected result"));
}

Action Endpoint::start() {
  if (!query_ok_ || !http::duplicate_param(query_).empty())
    return fail(client_fault(errors::MalformedInput, "query string malformed, or a parameter repeated"));
  if (method_ == "GET" || (method_ == "POST" && !has_body_)) {
    body_sha256_ = std::string(sigv4::kEmptyPayloadHash);
    for (const auto& p : query_)
      if (!starts_with(p.name, "X-Amz-")) params_.push_back(p);
    return after_params();
  }
  if (method_ != "POST") return fail(client_fault(errors::MethodNotAllowed, method_.substr(0, 16)));
  phase_ = Phase::ReadingBody;
  Action a;
  a.kind = ActionKind::ReadBody;
  a.number = kMaxFormBytes;
  a.deadline_ms = kFormDeadlineMs;
  return a;
}

Action Endpoint::after_params() {
  if (Failure f; !parse_action(params_, call_kind_, f)) return fail(std::move(f));
  op_name_ = call_kind_ == Call::AssumeRole ? "StsAssumeRole"
             : call_kind_ == Call::AssumeRoleWithWebIdentity ? "StsAssumeRoleWithWebIdentity"
                                                             : "StsGetCallerIdentity";
  if (call_kind_ == Call::AssumeRoleWithWebIdentity) {
    // Unsigned, as the SDKs send it: the token is the credential. A signature, if any, is not looked at.
    if (!svc_.config.sts.enabled) return fail(client_fault(errors::WebIdentityNotAuthorized, "no sts section"));
    auth_scheme_ = "web-identity";
    web_ = std::make_unique<WebIdentity>(svc_.config, svc_.registry, svc_.jwks, task_, params_);
    phase_ = Phase::WebIdentity;
    return drive_web_identity();
  }
  const auth::SignedRequest req{method_, raw_path_, raw_path_, query_, headers_, has_body_, "sts", body_sha256_};
  claimed_key_ = std::string(auth::claimed_key_id(req));
  if (const std::string* token = auth::session_token(headers_, query_)) {
    open_ = std::make_unique<auth::OpenSession>(svc_.sessions, svc_.config.sts, task_, *token, claimed_key_);
    phase_ = Phase::Session;
    return drive_session();
  }
  return resolve();
}

Action Endpoint::drive_session() {
  Action a = open_->next(now_ms_);
  if (a.kind != ActionKind::Done) return a;
  session_source_ = open_->source();
  if (open_->failed()) return fail_s3(open_->failure());
  session_ = open_->session();
  return resolve();
}

// The registry entries of the key that signs (or of the session's source key), and of the role: the session's,
// or the one AssumeRole names (a RoleArn that is not ours names none: no read) — those the static config lacks.
Action Endpoint::resolve() {
  const Config& cfg = svc_.config;
  if (!cfg.registry.enabled) return authenticate();
  std::vector<std::string> names;
  const std::string key = session_ ? session_->source_key : claimed_key_;
  if (valid_key_id(key) && !cfg.find_key(key)) names.push_back(registry::key_entry(key));
  std::string role;
  if (session_) {
    role = session_->role;
  } else if (call_kind_ == Call::AssumeRole) {
    for (const auto& p : params_)
      if (p.name == "RoleArn" && !auth::parse_role_arn(p.value, role)) role.clear();
  }
  if (valid_role_name(role) && !cfg.find_role(role)) names.push_back(registry::role_entry(role));
  if (names.empty()) return authenticate();
  resolve_ = std::make_unique<registry::Resolve>(svc_.registry, cfg, task_, std::move(names));
  phase_ = Phase::Resolving;
  return drive_resolve();
}

Action Endpoint::drive_resolve() {
  Action a = resolve_->next(now_ms_);
  if (a.kind != ActionKind::Done) return a;
  std::unique_ptr<registry::Resolve> done = std::move(resolve_);
  registry_source_ = done->source();
  for (auto& t : done->take_background()) background_.push_back(std::move(t));
  if (done->failed()) return fail_s3(done->failure());
  done->pin(ns_, seconds(now_ms_));
  return authenticate();
}

Action Endpoint::authenticate() {
  if (session_) {
    std::shared_ptr<const KeyEntry> as;
    std::string why;
    if (const S3Error* e = auth::admit(*session_, ns_, seconds(now_ms_), as, why)) return fail_s3(client_fault(*e, why));
    ns_.pin_key(std::move(as));
  }
  const auth::SignedRequest req{method_, raw_path_, raw_path_, query_, headers_, has_body_, "sts", body_sha256_};
  auth::Verdict v = auth::authenticate(req, ns_, seconds(now_ms_), svc_.keys);
  auth_scheme_ = v.scheme;
  if (v.error) return fail_s3(client_fault(*v.error, std::move(v.detail)));
  if (v.scheme == "unknown-key") return fail(client_fault(errors::InvalidClientTokenId, "unknown access key"));
  if (!v.key) return fail(client_fault(errors::MissingAuthenticationToken, "unsigned"));
  if (v.scheme != "sigv4" && v.scheme != "sigv4-query") return fail(client_fault(errors::IncompleteSignature, "SigV2"));
  caller_ = v.key;
  if (call_kind_ == Call::GetCallerIdentity) {
    if (session_)
      return reply(caller_identity_document(auth::assumed_role_arn(session_->role, session_->session_name),
                                            auth::role_id(session_->role) + ":" + session_->session_name, request_id_));
    return reply(caller_identity_document("arn:aws:iam::" + std::string(auth::kStsAccount) + ":user/" + caller_->id,
                                          caller_->id, request_id_));
  }
  return assume_role();
}

Action Endpoint::assume_role() {
  if (session_) return fail(client_fault(errors::NoRoleChaining, "AssumeRole signed by a session"));
  Failure f;
  if (!parse_assume_role(params_, call_, f)) return fail(std::move(f));
  const Role* role = ns_.find_role(call_.role);
  if (!role) return fail(client_fault(errors::NotAuthorized, "no role " + call_.role + " (or disabled)"));
  if (!role->trusts(caller_->id))
    return fail(client_fault(errors::NotAuthorized, "role " + call_.role + " does not trust key " + caller_->id));
  uint32_t duration = 0;
  if (!session_duration(call_, *role, svc_.config.sts, duration, f)) return fail(std::move(f));
  issued_.role = role->name;
  issued_.session_name = call_.session_name;
  issued_.source_key = caller_->id;
  issued_.scopes = auth::intersect_scopes(role->scopes, caller_->scopes);
  issued_.issued_s = seconds(now_ms_);
  issued_.expires_s = issued_.issued_s + duration;
  return issue();
}

Action Endpoint::drive_web_identity() {
  Action a = web_->next(now_ms_);
  if (a.kind != ActionKind::Done) return a;
  for (auto& t : web_->take_background()) background_.push_back(std::move(t));
  if (web_->failed()) {
    Failure f = web_->failure();
    return fail(std::move(f));
  }
  issued_ = web_->session();
  return issue();
}

Action Endpoint::issue() {
  phase_ = Phase::Random;
  received_ = Result{};
  Action a;
  a.kind = ActionKind::Random;
  a.number = auth::kCredentialRandomBytes;
  return a;
}

Action Endpoint::on_random(Result&& r) {
  if (!r.flag || !auth::make_credentials(r.data, issued_.access_key_id, issued_.secret))
    return fail(host_fault("sts: no randomness: " + r.error));
  phase_ = Phase::Sealing;
  received_ = Result{};
  Action a;
  a.kind = ActionKind::Seal;
  a.call.name = svc_.config.sts.session_key_secret;
  a.call.aad = auth::token_aad(issued_.access_key_id);
  a.call.data = auth::session_plaintext(issued_);
  return a;
}

Action Endpoint::on_sealed(Result&& r) {
  if (!r.flag) return fail(host_fault("sts: seal failed: " + r.error));
  if (web_)
    return reply(web_identity_document(issued_, auth::token_text(r.data), web_->issuer(), web_->audience(), request_id_));
  return reply(assume_role_document(issued_, auth::token_text(r.data), request_id_));
}

Action Endpoint::reply(std::string body) {
  answer_.status = 200;
  answer_.headers = {{"content-type", "text/xml"}};
  answer_.body = std::move(body);
  phase_ = Phase::Done;
  return Action{};
}

Action Endpoint::fail_s3(const Failure& f) {
  return fail(Failure{&errors::from_s3(*f.error), f.detail, f.fault});
}

Action Endpoint::fail(Failure&& f) {
  if (f.fault == Fault::Host || f.fault == Fault::Core) f.error = &errors::InternalFailure;
  failed_ = true;
  failure_ = std::move(f);
  answer_.status = failure_.error->status;
  answer_.headers = {{"content-type", "text/xml"}};
  answer_.body = error_document(*failure_.error, request_id_);
  phase_ = Phase::Done;
  return Action{};
}

void Endpoint::log_fields(LogLine& log) const {
  if (caller_) log.str("key", caller_->id);
  else if (!claimed_key_.empty()) log.str("claimed_key", claimed_key_.substr(0, 128));
  if (session_) {
    log.str("role", session_->role).str("session", session_->session_name);
    if (session_->provider.empty()) log.str("source_key", session_->source_key);
    else log.str("provider", session_->provider).str("subject", session_->subject);
  }
  if (web_) {
    web_->log_fields(log);
    if (!issued_.access_key_id.empty() && !failed_) log.str("issued_key", issued_.access_key_id);
    return;
  }
  if (!session_source_.empty()) log.str("session_token", session_source_);
  if (!issued_.role.empty()) log.str("assumed_role", issued_.role).str("assumed_session", issued_.session_name);
  if (!issued_.access_key_id.empty() && !failed_) log.str("issued_key", issued_.access_key_id);
  if (!registry_source_.empty()) log.str("registry", registry_source_);
}

}  // namespace s3p::sts
