// The identity providers' signing keys (JWKS), per isolate: kept by jwks_url for kTtlMs, bounded (kCapacity
// providers, the oldest fetched goes first), one fetch per URL at a time (proto/single_flight.h: N concurrent cold
// AssumeRoleWithWebIdentity calls make one fetch), and a refetch on a token whose kid is unknown at most once per
// kRefetchIntervalMs per URL (a stream of made-up kids cannot make the proxy hammer the provider). Failed fetches
// are never stored; the requests that waited for one are told and fail at once (IDPCommunicationError).
//
// The colo tier (Cache API) holds the same document under colo_url(jwks_url), sealed by the host under the STS
// session key: the JWKS is public, but the zone's other Workers share the Cache API, and a planted key set would
// let its author mint tokens we accept — so a colo entry must be ours to be used.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "worker/proto/single_flight.h"
#include "worker/rules/jwks.h"

namespace s3p::sts {

struct JwksKeys {
  std::vector<jwt::Jwk> keys;
  double fetched_ms = 0;  // when the provider answered (a colo entry keeps its own time)
};

class JwksCache {
 public:
  explicit JwksCache(Waker& waker) : flights_(waker) {}
  JwksCache(const JwksCache&) = delete;
  JwksCache& operator=(const JwksCache&) = delete;

  static constexpr double kTtlMs = 600 * 1000.0;
  static constexpr double kRefetchIntervalMs = 60 * 1000.0;
  static constexpr size_t kCapacity = 64;
  static constexpr uint32_t kFetchTimeoutMs = 5000;

  // Keys fetched within kTtlMs, or null.
  std::shared_ptr<const JwksKeys> fresh(const std::string& url, double now_ms) const;
  void store(const std::string& url, std::shared_ptr<const JwksKeys> keys);
  // A fetch (or colo read) of `url` is starting; `refetch_allowed` is false for kRefetchIntervalMs after one.
  void note_attempt(const std::string& url, double now_ms);
  bool refetch_allowed(const std::string& url, double now_ms) const;
  void note_failure(const std::string& url, double now_ms, std::string why);
  const std::string* failure_since(const std::string& url, double since_ms) const;
  SingleFlight& flights() { return flights_; }
  void clear();

 private:
  struct Slot {
    std::shared_ptr<const JwksKeys> keys;
    double attempted_ms = -1e18;
    double failed_ms = -1e18;
    std::string failure;
  };
  Slot& slot(const std::string& url);
  std::unordered_map<std::string, Slot> slots_;
  SingleFlight flights_;
};

// The colo tier's key and value (the plaintext the host seals; AAD colo_aad(url)).
std::string colo_url(std::string_view jwks_url);
std::string colo_aad(std::string_view jwks_url);
std::string colo_plaintext(double fetched_ms, std::string_view jwks);
bool read_colo_plaintext(std::string_view text, double& fetched_ms, std::string_view& jwks);

}  // namespace s3p::sts
