#include "worker/registry/registry_cache.h"

namespace s3p::registry {

Cache::Slot* Cache::find(const std::string& name) {
  auto it = slots_.find(name);
  if (it == slots_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second.lru);  // used: to the front
  return &it->second;
}

const Answer* Cache::fresh(const std::string& name, double now_ms) {
  Slot* s = find(name);
  return s && now_ms < s->fresh_until_ms ? &s->answer : nullptr;
}

const Answer* Cache::stale(const std::string& name, double now_ms) {
  Slot* s = find(name);
  return s && s->last_good.kind == Answer::Kind::Found && now_ms < s->stale_until_ms ? &s->last_good : nullptr;
}

void Cache::note_failure(const std::string& name, double now_ms, std::string why) {
  if (failures_.size() >= kCapacity) failures_.clear();  // a bound; losing one costs a waiter one more read
  failures_[name] = Failure{now_ms, std::move(why)};
}

const std::string* Cache::failure_since(const std::string& name, double since_ms) const {
  auto it = failures_.find(name);
  return it != failures_.end() && it->second.at_ms >= since_ms ? &it->second.why : nullptr;
}

void Cache::store(const std::string& name, Answer answer, double now_ms, const RegistrySettings& settings) {
  failures_.erase(name);
  const bool found = answer.kind == Answer::Kind::Found;
  const double ttl_ms = 1000.0 * (found ? settings.entry_ttl_s : settings.negative_ttl_s);
  auto it = slots_.find(name);
  if (it == slots_.end()) {
    if (slots_.size() >= kCapacity) {  // the least recently used goes
      slots_.erase(lru_.back());
      lru_.pop_back();
    }
    lru_.push_front(name);
    it = slots_.emplace(name, Slot{}).first;
    it->second.lru = lru_.begin();
  } else {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  }
  Slot& s = it->second;
  if (found) {
    s.last_good = answer;
    s.stale_until_ms = now_ms + ttl_ms + 1000.0 * settings.stale_s;
  } else if (answer.kind == Answer::Kind::Absent) {
    s.last_good = Answer{};  // removed from the registry: nothing to fall back to any more
    s.stale_until_ms = 0;
  }
  s.answer = std::move(answer);
  s.fresh_until_ms = now_ms + ttl_ms;
}

}  // namespace s3p::registry
