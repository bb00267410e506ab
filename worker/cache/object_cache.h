// The isolate's part of the object cache: the metadata of recently read objects (L1: bounded, each entry until its
// TTL), and which task is learning an object's metadata right now — so that N concurrent cold requests for one
// object make one origin request, the others waiting for its answer (the pattern of the credential exchange).
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "worker/cache/admission.h"
#include "worker/cache/object_meta.h"
#include "worker/proto/single_flight.h"

namespace s3p::cache {

class ObjectCache {
 public:
  explicit ObjectCache(Waker& waker) : flights_(waker) {}
  ObjectCache(const ObjectCache&) = delete;
  ObjectCache& operator=(const ObjectCache&) = delete;

  // Unexpired metadata, or null.
  const ObjectMeta* find(const std::string& identity, double now_ms);
  // Any metadata, expired or not (an expired entry is kept until room is needed: its ETag lets the next request
  // revalidate with the origin instead of fetching bytes it has).
  const ObjectMeta* find_any(const std::string& identity) const;
  void remember(const std::string& identity, ObjectMeta meta, double now_ms);
  void forget(const std::string& identity) { meta_.erase(identity); }
  // The same, by the object's metadata entry name (what the host knows of it). Rare (an object changed under a
  // read), so a scan is fine.
  void forget_by_meta_url(std::string_view url, std::string_view name_key);

  // The first task to ask about an object leads the discovery (true); later ones are registered as its waiters
  // (false) and park until the leader finishes.
  bool lead_or_wait(const std::string& identity, uint32_t task) { return flights_.lead_or_wait(identity, task); }
  // The leader is done — it learnt the metadata, or gave up — and every waiter is woken to look again.
  void finish(const std::string& identity, uint32_t task) { flights_.finish(identity, task); }
  // A waiter that stops waiting (its request went away, or it timed out) is no longer woken.
  void stop_waiting(const std::string& identity, uint32_t task) { flights_.stop_waiting(identity, task); }

  size_t size() const { return meta_.size(); }
  static constexpr size_t kCapacity = 4096;

  Admission& admission() { return admission_; }

 private:
  void make_room(double now_ms);
  std::unordered_map<std::string, ObjectMeta> meta_;
  SingleFlight flights_;
  Admission admission_;
};

}  // namespace s3p::cache
