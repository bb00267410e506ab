// AssumeRoleWithWebIdentity up to the session it may mint: the part of the STS endpoint (endpoint.h) that an OIDC
// token, not a signature, authenticates. Unsigned, as the SDKs send it. A phase machine the endpoint hands over to:
//
//   parameters (RoleArn, RoleSessionName, WebIdentityToken, DurationSeconds) ─► parse the token (rules/
//     web_identity_token.h: RS256/ES256 only, kid, size) — InvalidIdentityToken before any lookup
//   ─► [registry: the role, then its identity provider, when S3P_CONFIG lacks them]
//   ─► role trusts a provider? DurationSeconds within the role's? iss / aud / exp / nbf / iat (60 s skew)
//   ─► the provider's keys: isolate (JwksCache) ─► [leader] colo (CacheMatch + Open) ─► Fetch jwks_url (5 s)
//        (other requests wait for the leader; an unknown kid refetches at most once per minute per provider)
//   ─► VerifySignature (the host, WebCrypto, with the JWK the kid names and whose type matches the alg)
//   ─► every claim condition of the role holds, the subject is not revoked ─► the session to issue
//
// Refusals, as STS words them: InvalidIdentityToken (malformed, alg, kid unknown after the refetch, signature, iss,
// aud, nbf/iat in the future), ExpiredTokenException, AccessDenied (no such role, not trusting a provider, provider
// gone, a condition unmet, subject revoked), IDPCommunicationError (the JWKS could not be fetched or read),
// ValidationError / MissingParameter (parameters). Nothing here reaches a backend.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "worker/auth/session.h"
#include "worker/config/config.h"
#include "worker/config/namespace.h"
#include "worker/http/log_line.h"
#include "worker/proto/action.h"
#include "worker/proto/task.h"
#include "worker/registry/resolve.h"
#include "worker/rules/web_identity_token.h"
#include "worker/sts/jwks_cache.h"
#include "worker/sts/request.h"

namespace s3p::sts {

class WebIdentity {
 public:
  WebIdentity(const Config& config, registry::Cache& registry, JwksCache& jwks, uint32_t task,
              const std::vector<http::QueryParam>& params);
  ~WebIdentity();
  WebIdentity(const WebIdentity&) = delete;
  WebIdentity& operator=(const WebIdentity&) = delete;

  Action next(double now_ms);  // Done: failed(), or session() is ready to be issued
  void feed(Result&& r, double now_ms);
  bool failed() const { return failed_; }
  const Failure& failure() const { return failure_; }
  // The session to issue (without its credentials): role, session name, provider, subject, scopes, times.
  const auth::Session& session() const { return session_; }
  const std::string& issuer() const { return issuer_; }
  const std::string& audience() const { return audience_; }  // the token's audience the provider accepted
  void log_fields(LogLine& log) const;  // role, (claimed_)subject, provider, jwks source: never the token
  std::vector<std::unique_ptr<Task>> take_background() { return std::move(background_); }

 private:
  enum class Phase { Start, Resolving, Keys, Waiting, ColoMatch, ColoOpen, Fetching, ColoSeal, Verifying, Done };
  Action start();
  Action resolve(std::vector<std::string> names);
  Action drive_resolve();
  Action after_resolve();
  Action keys();
  Action choose(const JwksKeys& jwks);
  Action lead();
  Action fetch();
  Action on_colo_match(Result&& r);
  Action on_colo_open(Result&& r);
  Action on_fetched(Result&& r);
  Action on_sealed_for_colo(Result&& r);
  Action on_verified(Result&& r);
  Action stored(std::shared_ptr<const JwksKeys> keys);
  Action fail(Failure&& f);
  void release();

  const Config& config_;
  registry::Cache& registry_;
  JwksCache& jwks_;
  uint32_t task_;
  const std::vector<http::QueryParam>& params_;
  double now_ms_ = 0;
  Phase phase_ = Phase::Start;
  Result received_;
  bool have_result_ = false;
  Namespace ns_;
  std::unique_ptr<registry::Resolve> resolve_;
  bool resolved_idp_ = false;
  AssumeRoleCall call_;
  jwt::Token token_;
  const Role* role_ = nullptr;
  const IdentityProvider* idp_ = nullptr;
  std::string url_;
  bool leading_ = false, waiting_ = false, force_ = false, refetched_ = false, verified_ = false;
  double waited_since_ms_ = 0;
  std::string fetched_body_;
  const jwt::Jwk* key_ = nullptr;
  std::shared_ptr<const JwksKeys> keys_;  // held while the key is used
  auth::Session session_;
  std::string issuer_, audience_;
  std::string_view jwks_source_;
  std::string registry_source_;
  std::vector<std::unique_ptr<Task>> background_;
  bool failed_ = false;
  Failure failure_;
};

}  // namespace s3p::sts
