// Opening session tokens (auth/session.h), the phase before authentication of a request that carries one
// (x-amz-security-token, or X-Amz-Security-Token in a presigned URL). Modelled on the registry's Resolve:
//
//   token well-formed? ─no─► InvalidToken (no host call)
//     │ yes
//   opened in this isolate (LRU keyed by SHA-256 of the token, kept until the session expires)? ─yes─► use it
//     │ no
//   lead? ─no─► Wait (woken when the leader is done) ─► look again
//     │ yes
//   Open (the host, AES-GCM under sts.session_key_secret, AAD = token_aad(the signature's key id))
//     ├─ does not authenticate, or not a session ─► InvalidToken (nothing stored)
//     ├─ expired ─► ExpiredToken (nothing stored)
//     └─ opened ─► stored, used
//
// A session found for a token must name the access key id the request's signature names (else InvalidToken):
// the seal binds them, and the cache keeps the binding.
#pragma once
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>

#include "worker/auth/session.h"
#include "worker/config/roles.h"
#include "worker/proto/action.h"
#include "worker/proto/single_flight.h"
#include "worker/s3/failure.h"

namespace s3p::auth {

class SessionCache {
 public:
  explicit SessionCache(Waker& waker) : flights_(waker) {}
  SessionCache(const SessionCache&) = delete;
  SessionCache& operator=(const SessionCache&) = delete;

  static std::string key_of(std::string_view token);  // hex SHA-256: the token itself is never kept as a key
  // The session opened from this token, unless it has expired (then dropped); null when unknown.
  std::shared_ptr<const Session> find(const std::string& key, int64_t now_s);
  void store(const std::string& key, std::shared_ptr<const Session> session);
  void clear() {
    slots_.clear();
    lru_.clear();
  }
  size_t size() const { return slots_.size(); }
  SingleFlight& flights() { return flights_; }
  // ~0.6 KiB a session: ~2.5 MiB at capacity.
  static constexpr size_t kCapacity = 4096;

 private:
  struct Slot {
    std::shared_ptr<const Session> session;
    std::list<std::string>::iterator lru;
  };
  std::unordered_map<std::string, Slot> slots_;
  std::list<std::string> lru_;  // front: most recently used
  SingleFlight flights_;
};

class OpenSession {
 public:
  // `claimed_key`: the access key id the request's signature names ("" when unsigned: refused).
  OpenSession(SessionCache& cache, const StsSettings& settings, uint32_t task, std::string_view token,
              std::string claimed_key);
  ~OpenSession();
  OpenSession(const OpenSession&) = delete;
  OpenSession& operator=(const OpenSession&) = delete;

  Action next(double now_ms);  // Done when the session is known, or refused (failed())
  void feed(Result&& result, double now_ms);
  bool failed() const { return failed_; }
  const Failure& failure() const { return failure_; }
  const std::shared_ptr<const Session>& session() const { return session_; }
  std::string_view source() const { return source_; }  // "cache" | "opened": for the log

 private:
  enum class State { Look, Waiting, Opening, Done };
  void refuse(const S3Error& e, std::string detail);
  bool accept(std::shared_ptr<const Session> s, double now_ms);
  void release();

  SessionCache& cache_;
  const StsSettings& settings_;
  uint32_t task_;
  std::string key_, sealed_, claimed_;
  State state_ = State::Look;
  bool leading_ = false, waiting_ = false, failed_ = false;
  Failure failure_;
  std::shared_ptr<const Session> session_;
  std::string_view source_ = "cache";
};

}  // namespace s3p::auth
