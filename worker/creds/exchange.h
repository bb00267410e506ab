// One credential exchange for a CredentialSource: look in L2; on a miss (web identity) mint a JWT (host randomness
// for jti, host RS256 signature), or (role chaining) run the base source's exchange first — a nested Exchange,
// whose actions pass through —, and POST the source's STS request; an STS success that may be cached spawns an
// L2Writer. Drives itself through
// host actions (next/feed) and is run either by the request that leads a cold flight or by a background renewal.
// The outcome is known as soon as the deciding result is fed (has_outcome), so the flight's waiters can be woken
// in the same host turn; next() may still yield the Spawn of the L2 write afterwards.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "worker/config/config.h"
#include "worker/creds/credential_host.h"
#include "worker/creds/credential_source.h"
#include "worker/creds/l1_cache.h"
#include "worker/proto/action.h"

namespace s3p {

class Exchange {
 public:
  // `source` must outlive the exchange.
  Exchange(CredentialHost& host, const FederationSettings& settings, const CredentialSource& source);
  Action next(double now_ms);  // Done once finished
  void feed(Result&& result, double now_ms);

  bool has_outcome() const { return step_ == Step::SpawnWrite || step_ == Step::Done; }
  bool ok() const { return ok_; }
  const sigv4::Credentials& credentials() const { return creds_; }
  int64_t expires_ms() const { return expires_ms_; }
  std::string_view source() const { return from_; }  // "L2" | "STS"
  const FlightFailure& failure() const { return failure_; }
  const std::string& note() const { return note_; }  // why L2 missed abnormally (log only)

 private:
  enum class Step { MatchL2, OpenL2, Base, Random, Sign, Post, SpawnWrite, Done };
  void on_cache_match(Result& r);
  void on_open(Result& r, double now_ms);
  void on_sts(const FetchResult& r, double now_ms);
  void fail(const S3Error& e, std::string detail);
  Step after_l2_miss();
  Action drive_base(double now_ms);

  CredentialHost& host_;
  const FederationSettings& settings_;
  const CredentialSource& source_;
  Step step_ = Step::MatchL2;
  bool awaiting_ = false;
  std::string scratch_;  // the sealed L2 entry, then the JWT's signing input, then the token
  std::string jti_;
  std::string sts_body_;  // kept for the L2 write
  std::unique_ptr<Exchange> base_;  // role chaining: the base source's exchange
  int round_ = 0;          // which of the source's requests is being made (GCP: STS, then impersonation)
  FetchAction follow_up_;  // the next round's request
  int64_t l2_ttl_s_ = 0;

  bool ok_ = false;
  sigv4::Credentials creds_;
  int64_t expires_ms_ = 0;
  std::string_view from_ = "STS";
  FlightFailure failure_;
  std::string note_;
};

}  // namespace s3p
