// The isolate's tier of the namespace registry: answers for registry entries (an account, an access key, a role,
// the account list) kept by name, each until its TTL — found entries for entry_ttl_s, "no such entry" for
// negative_ttl_s (so a scanner of unknown names costs one registry read per name per negative TTL) — and a found
// entry past its TTL kept for stale_s more, to serve while the registry cannot answer. Failed reads are never
// stored. Found and negative answers are bounded apart (two LRUs): a scanner's unknown names evict only each
// other, never an entry that serves. One leader per name reads the registry (proto/single_flight.h).
#pragma once
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "worker/config/namespace.h"
#include "worker/config/registry_settings.h"
#include "worker/proto/single_flight.h"

namespace s3p::registry {

struct Answer {
  enum class Kind : uint8_t { Found, Absent, Malformed };
  Kind kind = Kind::Absent;
  std::shared_ptr<const Config> account;                      // Found: an account entry
  std::shared_ptr<const KeyEntry> key;                        // Found: a key entry
  std::shared_ptr<const Role> role;                           // Found: a role entry
  std::shared_ptr<const IdentityProvider> idp;                // Found: an identity provider entry
  std::shared_ptr<const AccountIndex> listing;  // Found: the account index, or a page of it
  std::string error;  // Malformed: what is wrong, naming the field (for the log; never the entry's text)
};

class Cache {
 public:
  explicit Cache(Waker& waker) : flights_(waker) {}
  Cache(const Cache&) = delete;
  Cache& operator=(const Cache&) = delete;

  // An answer within its TTL, or null.
  const Answer* fresh(const std::string& name, double now_ms);
  // The last found entry, within the stale bound past its TTL, or null (a later "absent" answer clears it; a
  // malformed one does not).
  const Answer* stale(const std::string& name, double now_ms);
  // `age_ms`: how long ago the registry gave this answer (an answer from the colo's tier): its TTL counts from then.
  void store(const std::string& name, Answer answer, double now_ms, const RegistrySettings& settings, double age_ms = 0);
  // How long an answer of this kind for this name is trusted: entry_ttl_s, listing_ttl_s, or negative_ttl_s.
  static double ttl_ms(const std::string& name, Answer::Kind kind, const RegistrySettings& settings);
  void clear() {
    slots_.clear();
    found_lru_.clear();
    negative_lru_.clear();
    failures_.clear();
  }

  // A leader's failed read, told to the requests that were waiting for it (they fall back at once instead of each
  // reading again in turn). Not an answer: a request that starts later reads the registry itself.
  void note_failure(const std::string& name, double now_ms, std::string why);
  // Why the last read of `name` failed, if that was at or after `since_ms`; null otherwise.
  const std::string* failure_since(const std::string& name, double since_ms) const;

  SingleFlight& flights() { return flights_; }
  size_t size() const { return slots_.size(); }
  // Found entries: ~1.3 KiB per account entry of two repositories (tests/wasm/registry_memory.test.mjs): ~6.5 MiB
  // at capacity. Negative answers hold no entry: ~280 B each, ~5.3 MiB at capacity
  // (the same test).
  static constexpr size_t kCapacity = 5000;
  // A scanner cycling through this many unknown names still costs one read per name per negative TTL.
  static constexpr size_t kNegativeCapacity = 20000;

 private:
  struct Slot {
    Answer answer;
    Answer last_good;              // the last Found answer (what a failed or garbled read may fall back to)
    double fresh_until_ms = 0;
    double stale_until_ms = 0;     // last_good's bound
    bool found = false;            // holds a last_good: it is in found_lru_ (else in negative_lru_)
    std::list<std::string>::iterator lru;  // position in its LRU (front: most recently used)
  };
  Slot* find(const std::string& name);
  std::list<std::string>& lru_of(const Slot& s) { return s.found ? found_lru_ : negative_lru_; }
  void make_room(bool found);
  std::unordered_map<std::string, Slot> slots_;
  std::list<std::string> found_lru_, negative_lru_;
  struct Failure {
    double at_ms = 0;
    std::string why;
  };
  std::unordered_map<std::string, Failure> failures_;  // only while leaders have waiters: bounded by those
  SingleFlight flights_;
};

}  // namespace s3p::registry
