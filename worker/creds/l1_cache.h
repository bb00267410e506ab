// L1: the per-isolate credential cache, keyed by (role ARN, session name). Pure bookkeeping with the time passed
// in, so every rule is unit-testable with fake time; Federation turns its verdicts into actions.
//
// Rules (all times relative to the credentials' Expiration):
//   more than 60 s left        serve
//   5..60 s left               serve, and claim ONE background renewal unless a live claim exists
//   less than 5 s left / none  never served: the first request claims the exchange ("leads"), the others wait
//                              for that flight's outcome (bounded by the claim's lifetime)
// A claim ("flight") lives at most `claim_ttl_ms` (the STS timeout plus a grace period); after that it is stale
// and dropped, so a renewal task that died cannot block renewals forever. A failed flight is never cached: its
// outcome only answers the requests that waited on it; the next request leads a new flight.
// Renewals back off: after a failed flight, no renewal of still-servable credentials is claimed for 1 s, doubling
// per consecutive failure up to 60 s (per key; reset by a success), so a failing STS is not hit by every request
// in the refresh window. Cold keys (nothing servable) are not held back: a request that has no credentials
// leads an exchange, as before.
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "worker/s3/errors.h"
#include "worker/sign/sigv4.h"

namespace s3p {

struct FlightFailure {
  const S3Error* error = &errors::ServiceUnavailable;  // what the client gets (503 / 403 / 502)
  std::string detail;                                   // log only
};

class L1Cache {
 public:
  static constexpr int64_t kRefreshLeadMs = 60'000;
  static constexpr int64_t kMinRemainingMs = 5'000;
  static constexpr double kRenewBackoffMinMs = 1'000, kRenewBackoffMaxMs = 60'000;

  enum class Verdict { Serve, ServeAndRenew, Lead, Wait };
  struct Decision {
    Verdict verdict = Verdict::Lead;
    sigv4::Credentials creds;  // Serve, ServeAndRenew: a copy, so a later rotation cannot change them mid-request
    uint64_t flight = 0;       // ServeAndRenew, Lead: the claimed flight; Wait: the flight waited on
    double wait_until_ms = 0;  // Wait: when that flight's claim goes stale
  };
  Decision decide(const std::string& key, double now_ms, double claim_ttl_ms);

  // Parking: a waiter is woken when the flight ends (any outcome) and must remove itself if it gives up first.
  void add_waiter(const std::string& key, uint32_t task_id);
  void remove_waiter(const std::string& key, uint32_t task_id);

  // The end of a flight; each returns the waiters to wake. A success always updates the credentials (when they
  // expire later than the cached ones), even from a flight whose claim went stale; a failure or an abandonment
  // of a flight that no longer holds the claim changes nothing.
  std::vector<uint32_t> succeed(const std::string& key, uint64_t flight, const sigv4::Credentials& creds,
                                int64_t expires_ms);
  std::vector<uint32_t> fail(const std::string& key, uint64_t flight, FlightFailure failure, double now_ms);
  std::vector<uint32_t> abandon(const std::string& key, uint64_t flight);

  // What a waiter of `flight` finds when it wakes (or times out).
  struct AfterWait {
    enum class Kind { Creds, Failed, Nothing } kind = Kind::Nothing;
    sigv4::Credentials creds;
    FlightFailure failure;
  };
  AfterWait after_wait(const std::string& key, uint64_t flight, double now_ms) const;

  // Introspection for tests and logs.
  bool in_flight(const std::string& key) const;
  size_t waiters(const std::string& key) const;

 private:
  struct Entry {
    bool has_creds = false;
    sigv4::Credentials creds;
    int64_t expires_ms = 0;
    bool flying = false;
    uint64_t flight = 0;
    double claimed_ms = 0;
    std::vector<uint32_t> waiters;
    uint64_t failed_flight = 0;  // the last flight that failed, and how
    FlightFailure failure;
    double backoff_ms = 0;       // renewal back-off after consecutive failures (0 = none)
    double renew_after_ms = 0;   // no renewal claimed before this
  };
  uint64_t claim(Entry& e, double now_ms);

  std::unordered_map<std::string, Entry> entries_;
  uint64_t next_flight_ = 1;
};

}  // namespace s3p
