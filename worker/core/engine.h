// The core: process-wide state (config, caches) plus the table of in-flight tasks. One Engine per wasm instance;
// many requests interleave through it, each identified by the id `begin` returns.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "worker/auth/session_cache.h"
#include "worker/cache/object_cache.h"
#include "worker/config/config.h"
#include "worker/creds/credential_host.h"
#include "worker/creds/federation.h"
#include "worker/registry/registry_cache.h"
#include "worker/sts/jwks_cache.h"
#include "worker/http/headers.h"
#include "worker/proto/task.h"
#include "worker/sign/sigv4.h"

namespace s3p {

struct RequestHead {
  std::string method;  // as received (upper case)
  std::string path;    // raw, percent-encoded, starts with '/'
  std::string query;   // raw, without '?'
  Headers headers;     // lowercase names
  bool has_body = false;
  uint64_t random = 0;  // host-supplied randomness for the request id
};

class Engine : public CredentialHost {
 public:
  Engine() = default;
  // Tasks go first: their destructors release credential claims (federation_) and wake waiters (wakeups_).
  ~Engine() { tasks_.clear(); }
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;
  // A bad config does not stop the engine: every request then answers 503 and logs the reason. Returns false,
  // changing nothing, while tasks are in flight: they hold references into the current config (backends,
  // repositories, federation settings), so replacing it under them would leave them dangling.
  // `seed`: host randomness (≥ 16 bytes) for what must differ per core: the listing-token key of a config with
  // no secrets to derive one from.
  bool init(std::string_view config_json, const Env& env, std::string_view seed);
  const std::string& config_error() const { return config_error_; }
  bool configured() const { return config_error_.empty(); }

  uint32_t begin(RequestHead&& head, double now_ms);
  // Registers a background task; the host learns its id from a Spawn action and runs it under waitUntil.
  uint32_t spawn(std::unique_ptr<Task> task) override;
  Action next(uint32_t id, double now_ms);
  void feed(uint32_t id, Result&& result, double now_ms);
  void release(uint32_t id);
  size_t in_flight() const { return tasks_.size(); }
  // Tests: put the id counter where 2^32 allocations would have left it.
  void restart_ids_at(uint32_t id) { next_id_ = id == 0 ? 1 : id; }

  // Ids parked in Wait that may now proceed (drained by the host after every call that can change state).
  std::vector<uint32_t> take_wakeups() { return std::move(wakeups_); }
  void wake(uint32_t id) override { wakeups_.push_back(id); }

  const Config& config() const { return config_; }
  sigv4::SigningKeyCache& signing_keys() { return signing_keys_; }
  sigv4::SigningKeyCache& inbound_keys() { return inbound_keys_; }  // for verifying clients' signatures
  Federation& federation() override { return federation_; }
  cache::ObjectCache& objects() { return objects_; }
  registry::Cache& registry() { return registry_; }
  auth::SessionCache& sessions() { return sessions_; }
  sts::JwksCache& jwks() { return jwks_; }  // identity providers' keys (sts/jwks_cache.h)  // opened STS session tokens (auth/session_cache.h)
  const FederationSettings& federation_settings() const override { return config_.federation; }

 private:
  Config config_;
  std::string config_error_ = "not initialised";
  sigv4::SigningKeyCache signing_keys_;
  sigv4::SigningKeyCache inbound_keys_{64};
  Federation federation_;
  cache::ObjectCache objects_{*this};
  registry::Cache registry_{*this};
  auth::SessionCache sessions_{*this};
  sts::JwksCache jwks_{*this};
  uint32_t allocate_id();
  std::unordered_map<uint32_t, std::unique_ptr<Task>> tasks_;
  std::vector<uint32_t> wakeups_;
  uint32_t next_id_ = 1;
};

}  // namespace s3p
