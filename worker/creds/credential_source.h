// What one backend's credentials are obtained from: the identity they have in the caches and the STS request
// that gets them. Federation, Exchange and the L1/L2 tiers only talk to this interface, so a new kind of exchange
// is a new source, not a special case threaded through them.
//
// Keys: the L1 key holds every input of the exchange (the kind, role, session name, duration and what
// authenticates the call: the JWT subject, the base key id and ExternalId, or the chained source's own key), so two
// backends differing in any
// of them never share credentials, however their session names sanitize. The L2 entry is sealed to that same
// key (AES-GCM AAD), so an entry another backend's exchange wrote under the same name never opens for this one.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "worker/config/config.h"
#include "worker/creds/l1_cache.h"
#include "worker/creds/sts_response.h"
#include "worker/proto/action.h"
#include "worker/sign/sigv4.h"

namespace s3p {

class CredentialSource {
 public:
  virtual ~CredentialSource() = default;
  const std::string& l1_key() const { return l1_key_; }
  const std::string& l2_key() const { return l2_key_; }          // the Cache API entry's (synthetic) URL
  const std::string& l2_binding() const { return l2_binding_; }  // what the entry is sealed to (the AAD)
  // For the log: the role and session the credentials are for (never a secret).
  virtual std::string_view role_arn() const = 0;
  virtual std::string_view session_name() const = 0;
  // Web identity: the STS call carries a JWT the exchange mints first (for this subject).
  virtual bool needs_token() const = 0;
  virtual std::string_view token_subject() const { return {}; }
  // Role chaining: the STS call is signed with the credentials of another source's exchange, run first (through
  // its own L2 entry, never L1: the chained credentials are what this backend keeps).
  virtual const CredentialSource* base_source() const { return nullptr; }

  // What the exchange obtained before the STS call: the JWT it minted (needs_token), the base source's credentials
  // (base_source).
  struct Inputs {
    std::string_view token;
    const sigv4::Credentials* base = nullptr;
  };
  // The STS request. A request with an empty url was refused as built.
  virtual FetchAction sts_request(const FederationSettings& settings, const Inputs& in, double now_ms) const = 0;
  // How long the whole exchange may take (its requests' timeouts): what a flight's claim must outlive.
  virtual double exchange_timeout_ms(const FederationSettings& settings) const { return settings.sts_timeout_ms; }
  // The JWT's aud ("" = the federation section's audience, sts.amazonaws.com).
  virtual std::string_view token_audience() const { return {}; }

  // Hooks for an exchange that is not AWS STS's (GCP: JSON answers, two requests). Defaults: STS's XML.
  // The answer to request `round` (0 = sts_request) → credentials (usable Expiration), or the client's failure.
  virtual bool outcome(int round, const FetchResult& r, double now_ms, StsResponse& out, FlightFailure& failure) const;
  // A further request after a successful `round` (an empty url: none, `got` are the credentials).
  virtual FetchAction follow_up(int /*round*/, const StsResponse& /*got*/, double /*now_ms*/) const { return {}; }
  // What L2 stores for the final answer `r` (parsed as `got`), and how a stored document reads back.
  virtual std::string l2_document(const FetchResult& r, const StsResponse& /*got*/) const { return r.body; }
  virtual StsResponse parse_l2(std::string_view document) const;

 protected:
  std::string l1_key_, l2_key_, l2_binding_;
};

// The source of a WebIdentity, AssumeRole, GcpWorkloadIdentity or EntraWorkloadIdentity backend; nullptr for the others. It refers to `backend`, which must
// outlive it.
std::unique_ptr<CredentialSource> credential_source(const Backend& backend);

// The L1 keys of the two kinds (also what their L2 entries are sealed to, for assume_role).
std::string web_identity_l1_key(const WebIdentityAuth& auth);
std::string assume_role_l1_key(const AssumeRoleAuth& auth);

}  // namespace s3p
