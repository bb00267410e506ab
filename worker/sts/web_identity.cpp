#include "worker/sts/web_identity.h"

#include <cmath>

#include "worker/proto/cache_write.h"
#include "worker/rules/claim_glob.h"
#include "worker/sts/sts_errors.h"

namespace s3p::sts {
namespace {

constexpr uint32_t kMaxJwksBytes = static_cast<uint32_t>(jwt::kMaxJwksBytes);

int64_t seconds(double now_ms) { return static_cast<int64_t>(std::floor(now_ms / 1000)); }

const http::QueryParam* find(const std::vector<http::QueryParam>& params, std::string_view name) {
  for (const auto& p : params)
    if (p.name == name) return &p;
  return nullptr;
}

// Every condition of the role holds for the token: each named claim is a string claim matching one of its
// patterns. `why` names the first that does not (the claim's name, never its value).
bool conditions_hold(const WebIdentityTrust& trust, const jwt::Token& t, std::string& why) {
  for (const auto& [claim, patterns] : trust.conditions) {
    const std::string* v = t.claim(claim);
    bool ok = false;
    if (v)
      for (const auto& p : patterns) ok = ok || glob_match(p, *v);
    if (!ok) return why = "claim condition on " + claim + " not met", false;
  }
  return true;
}

}  // namespace

WebIdentity::WebIdentity(const Config& config, registry::Cache& registry, JwksCache& jwks, uint32_t task,
                         const std::vector<http::QueryParam>& params)
    : config_(config), registry_(registry), jwks_(jwks), task_(task), params_(params), ns_(config) {}

WebIdentity::~WebIdentity() { release(); }

// A leader that goes away (its request ended) hands the flight on: its waiters wake and one of them leads.
void WebIdentity::release() {
  if (leading_) jwks_.flights().finish(url_, task_);
  if (waiting_) jwks_.flights().stop_waiting(url_, task_);
  leading_ = waiting_ = false;
}

Action WebIdentity::next(double now_ms) {
  now_ms_ = now_ms;
  if (phase_ == Phase::Start) return start();
  if (phase_ == Phase::Resolving) return drive_resolve();
  if (phase_ == Phase::Done) return Action{};
  if (!have_result_) return fail(host_fault("web identity: next() before the result"));
  have_result_ = false;
  Result r = std::move(received_);
  switch (phase_) {
    case Phase::Waiting:
      if (r.kind != ActionKind::Wait) break;
      jwks_.flights().stop_waiting(url_, task_);
      waiting_ = false;
      if (const std::string* why = jwks_.failure_since(url_, waited_since_ms_))
        return fail(client_fault(errors::IdpCommunicationError, "JWKS: " + *why));
      refetched_ = refetched_ || force_;  // the leader's fetch was this request's refetch too
      force_ = false;
      return keys();
    case Phase::ColoMatch:
      if (r.kind == ActionKind::CacheMatch) return on_colo_match(std::move(r));
      break;
    case Phase::ColoOpen:
      if (r.kind == ActionKind::Open) return on_colo_open(std::move(r));
      break;
    case Phase::Fetching:
      if (r.kind == ActionKind::Fetch) return on_fetched(std::move(r));
      break;
    case Phase::ColoSeal:
      if (r.kind == ActionKind::Seal) return on_sealed_for_colo(std::move(r));
      break;
    case Phase::Verifying:
      if (r.kind == ActionKind::VerifySignature) return on_verified(std::move(r));
      break;
    default: break;
  }
  return fail(host_fault("web identity: unexpected result"));
}

void WebIdentity::feed(Result&& r, double now_ms) {
  now_ms_ = now_ms;
  if (phase_ == Phase::Resolving && resolve_) return resolve_->feed(std::move(r), now_ms);
  received_ = std::move(r);
  have_result_ = true;
}

Action WebIdentity::start() {
  Failure f;
  if (!parse_assume_role(params_, call_, f)) return fail(std::move(f));
  const http::QueryParam* token = find(params_, "WebIdentityToken");
  if (!token || token->value.empty()) return fail(client_fault(errors::MissingWebIdentityToken, "no WebIdentityToken"));
  std::string why;
  if (!jwt::parse_token(token->value, token_, why)) return fail(client_fault(errors::InvalidIdentityToken, "token: " + why));
  std::vector<std::string> names;
  if (config_.registry.enabled && !config_.find_role(call_.role)) names.push_back(registry::role_entry(call_.role));
  return resolve(std::move(names));
}

Action WebIdentity::resolve(std::vector<std::string> names) {
  if (names.empty()) return after_resolve();
  resolve_ = std::make_unique<registry::Resolve>(registry_, config_, task_, std::move(names));
  phase_ = Phase::Resolving;
  return drive_resolve();
}

Action WebIdentity::drive_resolve() {
  Action a = resolve_->next(now_ms_);
  if (a.kind != ActionKind::Done) return a;
  std::unique_ptr<registry::Resolve> done = std::move(resolve_);
  if (registry_source_.empty() || done->source() != "cache") registry_source_ = std::string(done->source());
  for (auto& t : done->take_background()) background_.push_back(std::move(t));
  if (done->failed()) {
    const Failure& f = done->failure();
    return fail(Failure{&errors::from_s3(*f.error), f.detail, f.fault});
  }
  done->pin(ns_, seconds(now_ms_));
  return after_resolve();
}

Action WebIdentity::after_resolve() {
  if (!role_) {
    role_ = ns_.find_role(call_.role);
    if (!role_) return fail(client_fault(errors::WebIdentityNotAuthorized, "no role " + call_.role + " (or disabled)"));
    if (role_->web_identity.provider.empty())
      return fail(client_fault(errors::WebIdentityNotAuthorized, "role " + call_.role + " trusts no identity provider"));
    const std::string& provider = role_->web_identity.provider;
    bool is_static = false;
    for (const auto& p : config_.sts.identity_providers) is_static = is_static || p.name == provider;
    if (config_.registry.enabled && !is_static && !resolved_idp_) {
      resolved_idp_ = true;
      return resolve({registry::idp_entry(provider)});
    }
  }
  idp_ = ns_.find_idp(role_->web_identity.provider);
  if (!idp_)
    return fail(client_fault(errors::WebIdentityNotAuthorized,
                             "role " + call_.role + ": identity provider " + role_->web_identity.provider + " unknown or disabled"));
  uint32_t duration = 0;
  if (Failure f; !session_duration(call_, *role_, config_.sts, duration, f)) return fail(std::move(f));
  std::string why;
  switch (jwt::check_claims(token_, idp_->issuer, idp_->audiences, seconds(now_ms_), why)) {
    case jwt::ClaimCheck::Ok: break;
    case jwt::ClaimCheck::Expired: return fail(client_fault(errors::ExpiredIdentityToken, "token: " + why));
    default: return fail(client_fault(errors::InvalidIdentityToken, "token: " + why));
  }
  session_.role = role_->name;
  session_.session_name = call_.session_name;
  session_.provider = idp_->name;
  session_.subject = token_.sub;
  session_.issued_s = seconds(now_ms_);
  session_.expires_s = session_.issued_s + duration;
  url_ = idp_->jwks_url;
  return keys();
}

// The provider's keys: this isolate's, else lead a read (colo, then the provider) or wait for the leader's.
Action WebIdentity::keys() {
  if (!force_)
    if (auto k = jwks_.fresh(url_, now_ms_)) {
      if (jwks_source_.empty()) jwks_source_ = "isolate";
      return choose(*(keys_ = std::move(k)));
    }
  if (!jwks_.flights().lead_or_wait(url_, task_)) {
    waiting_ = true;
    waited_since_ms_ = now_ms_;
    phase_ = Phase::Waiting;
    Action a;
    a.kind = ActionKind::Wait;
    a.number = JwksCache::kFetchTimeoutMs + 1000;  // past the leader's own timeout: it will have answered
    return a;
  }
  leading_ = true;
  return lead();
}

Action WebIdentity::lead() {
  jwks_.note_attempt(url_, now_ms_);
  if (force_ || !config_.sts.enabled) return fetch();  // a refetch skips the colo: its copy is what lacked the kid
  phase_ = Phase::ColoMatch;
  Action a;
  a.kind = ActionKind::CacheMatch;
  a.call.name = colo_url(url_);
  return a;
}

Action WebIdentity::on_colo_match(Result&& r) {
  if (!r.flag || r.data.empty()) return fetch();
  phase_ = Phase::ColoOpen;
  Action a;
  a.kind = ActionKind::Open;
  a.call.name = config_.sts.session_key_secret;
  a.call.aad = colo_aad(url_);
  a.call.data = std::move(r.data);
  return a;
}

// A colo entry that does not open, does not read or is past its TTL is a miss, never an error.
Action WebIdentity::on_colo_open(Result&& r) {
  double fetched_ms = 0;
  std::string_view body;
  auto keys = std::make_shared<JwksKeys>();
  std::string why;
  if (!r.flag || !read_colo_plaintext(r.data, fetched_ms, body) || now_ms_ - fetched_ms >= JwksCache::kTtlMs ||
      now_ms_ - fetched_ms < -60000 || !jwt::parse_jwks(body, keys->keys, why))
    return fetch();
  keys->fetched_ms = std::min(fetched_ms, now_ms_);
  jwks_source_ = "colo";
  return stored(std::move(keys));
}

Action WebIdentity::fetch() {
  phase_ = Phase::Fetching;
  Action a;
  a.kind = ActionKind::Fetch;
  a.fetch.method = "GET";
  a.fetch.url = url_;
  a.fetch.headers = {{"accept", "application/json"}};
  a.fetch.timeout_ms = JwksCache::kFetchTimeoutMs;
  a.fetch.mode = ResponseMode::Buffer;
  a.fetch.max_body = kMaxJwksBytes;
  return a;
}

Action WebIdentity::on_fetched(Result&& r) {
  const FetchResult& f = r.fetch;
  std::string why;
  auto keys = std::make_shared<JwksKeys>();
  if (f.outcome != FetchOutcome::Ok) why = f.outcome == FetchOutcome::Timeout ? "timed out" : "transport: " + f.error.substr(0, 120);
  else if (f.status != 200) why = "answered " + std::to_string(f.status);
  else if (!jwt::parse_jwks(f.body, keys->keys, why)) why = "unreadable: " + why;
  if (!why.empty()) {
    jwks_.note_failure(url_, now_ms_, why);
    release();
    return fail(client_fault(errors::IdpCommunicationError, "JWKS " + why));
  }
  keys->fetched_ms = now_ms_;
  jwks_source_ = "fetched";
  fetched_body_ = f.body;
  return stored(std::move(keys));
}

// The leader's keys: stored for the isolate (its waiters wake to them), then — when fetched — sealed for the colo.
Action WebIdentity::stored(std::shared_ptr<const JwksKeys> keys) {
  jwks_.store(url_, keys);
  release();
  if (force_) refetched_ = true;
  force_ = false;
  keys_ = std::move(keys);
  if (!fetched_body_.empty() && config_.sts.enabled) {
    phase_ = Phase::ColoSeal;
    Action a;
    a.kind = ActionKind::Seal;
    a.call.name = config_.sts.session_key_secret;
    a.call.aad = colo_aad(url_);
    a.call.data = colo_plaintext(keys_->fetched_ms, fetched_body_);
    fetched_body_.clear();
    return a;
  }
  return choose(*keys_);
}

Action WebIdentity::on_sealed_for_colo(Result&& r) {
  if (r.flag)  // an optimisation: a failed seal only means the next isolate fetches too
    background_.push_back(CacheWrite::put("JwksColoPut", colo_url(url_), std::move(r.data),
                                          static_cast<uint32_t>(JwksCache::kTtlMs / 1000)));
  return choose(*keys_);
}

Action WebIdentity::choose(const JwksKeys& jwks) {
  switch (jwt::select_key(jwks.keys, token_.kid, token_.alg, key_)) {
    case jwt::KeyChoice::Found: break;
    case jwt::KeyChoice::WrongKeyType:
      return fail(client_fault(errors::InvalidIdentityToken, "token: kid names a key of another type than its alg"));
    case jwt::KeyChoice::UnknownKid:
      if (!refetched_ && jwks_.refetch_allowed(url_, now_ms_)) {
        force_ = true;
        keys_.reset();
        return keys();
      }
      return fail(client_fault(errors::InvalidIdentityToken,
                               std::string("token: kid unknown to the provider's JWKS") +
                                   (refetched_ ? " (refetched)" : " (refetch rate-limited)")));
  }
  phase_ = Phase::Verifying;
  Action a;
  a.kind = ActionKind::VerifySignature;
  a.call.name = std::string(jwt::alg_name(token_.alg));
  a.call.aad = key_->jwk;
  a.call.data = token_.signing_input;
  a.call.signature = token_.signature;
  return a;
}

Action WebIdentity::on_verified(Result&& r) {
  if (!r.flag) return fail(client_fault(errors::InvalidIdentityToken, "token: signature does not verify"));
  verified_ = true;
  std::string why;
  if (!conditions_hold(role_->web_identity, token_, why)) return fail(client_fault(errors::WebIdentityNotAuthorized, why));
  if (role_->revoked(token_.sub)) return fail(client_fault(errors::WebIdentityNotAuthorized, "subject revoked by the role"));
  session_.scopes = role_->scopes;
  issuer_ = idp_->issuer;
  for (const auto& a : token_.aud)
    if (audience_.empty())
      for (const auto& ok : idp_->audiences)
        if (a == ok) audience_ = a;
  phase_ = Phase::Done;
  return Action{};
}

Action WebIdentity::fail(Failure&& f) {
  release();
  failed_ = true;
  failure_ = std::move(f);
  phase_ = Phase::Done;
  return Action{};
}

void WebIdentity::log_fields(LogLine& log) const {
  if (!call_.role.empty()) log.str("assumed_role", call_.role);
  if (!call_.session_name.empty()) log.str("assumed_session", call_.session_name);
  if (idp_) log.str("provider", idp_->name);
  // The subject once the signature verified; before, only what the token claims (anyone can write one).
  if (!token_.sub.empty()) log.str(verified_ ? "subject" : "claimed_subject", token_.sub.substr(0, 256));
  if (!jwks_source_.empty()) log.str("jwks", jwks_source_);
  if (!registry_source_.empty()) log.str("registry", registry_source_);
}

}  // namespace s3p::sts
