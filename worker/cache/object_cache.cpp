#include "worker/cache/object_cache.h"

#include <algorithm>

#include "worker/cache/chunk_plan.h"

namespace s3p::cache {

const ObjectMeta* ObjectCache::find(const std::string& identity, double now_ms) {
  const ObjectMeta* m = find_any(identity);
  return m && m->expires_ms > now_ms ? m : nullptr;
}

const ObjectMeta* ObjectCache::find_any(const std::string& identity) const {
  auto it = meta_.find(identity);
  return it == meta_.end() ? nullptr : &it->second;
}

// Full: drop what has expired; if nothing has, drop entries until there is room (which ones does not matter much:
// a dropped entry costs one Cache API lookup, not an origin request).
void ObjectCache::make_room(double now_ms) {
  if (meta_.size() < kCapacity) return;
  for (auto it = meta_.begin(); it != meta_.end();) it = it->second.expires_ms <= now_ms ? meta_.erase(it) : std::next(it);
  while (meta_.size() >= kCapacity) meta_.erase(meta_.begin());
}

void ObjectCache::remember(const std::string& identity, ObjectMeta meta, double now_ms) {
  if (meta_.find(identity) == meta_.end()) make_room(now_ms);
  meta_[identity] = std::move(meta);
}

void ObjectCache::forget_by_meta_url(std::string_view url, std::string_view name_key) {
  for (auto it = meta_.begin(); it != meta_.end();)
    it = meta_url(it->first, name_key) == url ? meta_.erase(it) : std::next(it);
}

}  // namespace s3p::cache
