#include "worker/registry/registry_cache.h"

namespace s3p::registry {

Cache::Slot* Cache::find(const std::string& name) {
  auto it = slots_.find(name);
  if (it == slots_.end()) return nullptr;
  std::list<std::string>& lru = lru_of(it->second);
  lru.splice(lru.begin(), lru, it->second.lru);  // used: to the front
  return &it->second;
}

// Before a slot joins an LRU: the least recently used of that LRU goes when it is full.
void Cache::make_room(bool found) {
  std::list<std::string>& lru = found ? found_lru_ : negative_lru_;
  if (lru.size() < (found ? kCapacity : kNegativeCapacity)) return;
  slots_.erase(lru.back());
  lru.pop_back();
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

double Cache::ttl_ms(const std::string& name, Answer::Kind kind, const RegistrySettings& settings) {
  if (kind != Answer::Kind::Found) return 1000.0 * settings.negative_ttl_s;
  const bool index = name.compare(0, kAccountListEntry.size(), kAccountListEntry) == 0;  // the index or a page
  return 1000.0 * (index ? settings.listing_ttl_s : settings.entry_ttl_s);
}

void Cache::store(const std::string& name, Answer answer, double now_ms, const RegistrySettings& settings, double age_ms) {
  failures_.erase(name);
  const bool found = answer.kind == Answer::Kind::Found;
  const double ttl_ms = Cache::ttl_ms(name, answer.kind, settings) - age_ms;
  auto it = slots_.find(name);
  // Which LRU the slot belongs in afterwards: the found one while it holds an entry to fall back to (a malformed
  // answer keeps it; "absent" means removed from the registry, and ends it).
  const bool keeps_entry = found || (answer.kind == Answer::Kind::Malformed && it != slots_.end() && it->second.found);
  if (it != slots_.end() && it->second.found != keeps_entry) {  // changes LRU: leave the old one
    lru_of(it->second).erase(it->second.lru);
    slots_.erase(it);
    it = slots_.end();
  }
  if (it == slots_.end()) {
    make_room(keeps_entry);
    Slot fresh_slot;
    fresh_slot.found = keeps_entry;
    it = slots_.emplace(name, std::move(fresh_slot)).first;
    std::list<std::string>& lru = lru_of(it->second);
    lru.push_front(name);
    it->second.lru = lru.begin();
  } else {
    std::list<std::string>& lru = lru_of(it->second);
    lru.splice(lru.begin(), lru, it->second.lru);
  }
  Slot& s = it->second;
  if (found) {
    s.last_good = answer;
    s.stale_until_ms = now_ms + ttl_ms + 1000.0 * settings.stale_s;
  }
  s.answer = std::move(answer);
  s.fresh_until_ms = now_ms + ttl_ms;
}

}  // namespace s3p::registry
