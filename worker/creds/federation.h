// Backend credentials by STS (web-identity federation, AssumeRole with base keys): the per-isolate L1 cache
// (single-flight, refresh-ahead), the per-colo L2 cache (Cache API, encrypted) and the STS exchange, for any
// CredentialSource (creds/credential_source.h). Process-wide state, owned by the Engine (reached
// here only through CredentialHost).
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "worker/config/config.h"
#include "worker/creds/credential_host.h"
#include "worker/creds/credential_op.h"
#include "worker/creds/credential_source.h"
#include "worker/creds/l1_cache.h"

namespace s3p {

class Exchange;

class Federation {
 public:
  // A claim older than the STS timeout plus this is stale: its owner died or hung, another request may renew.
  static constexpr double kClaimGraceMs = 1000;

  // Starts obtaining credentials for a WebIdentity or AssumeRole backend on behalf of task `task_id` (which may be parked and
  // woken by id). The returned op yields the actions to perform.
  std::unique_ptr<CredentialOp> acquire(CredentialHost& host, const Backend& backend, uint32_t task_id);

  L1Cache& l1() { return l1_; }
  static std::string l1_key(const WebIdentityAuth& auth);  // = web_identity_l1_key
  static double claim_ttl_ms(const FederationSettings& s) { return s.sts_timeout_ms + kClaimGraceMs; }
  // The same for a source whose exchange has its own timeouts (GCP: one or two requests of its timeout_ms).
  static double claim_ttl_ms(const FederationSettings& s, const CredentialSource& source) {
    return source.exchange_timeout_ms(s) + kClaimGraceMs;
  }

  // The end of a flight (its exchange has an outcome) or its abandonment (its owner went away first): updates L1
  // and wakes the tasks that waited on it.
  void finish_flight(CredentialHost& host, const std::string& key, uint64_t flight, const Exchange& exchange, double now_ms);
  void abandon_flight(CredentialHost& host, const std::string& key, uint64_t flight);

 private:
  L1Cache l1_;
};

}  // namespace s3p
