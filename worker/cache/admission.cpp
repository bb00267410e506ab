#include "worker/cache/admission.h"

#include <cmath>


namespace s3p::cache {

namespace {

// A 64-bit FNV-1a over the chunk's position: no secret is needed (a slot holds a count, never bytes), and a
// collision only delays an admission.
uint64_t position_hash(std::string_view identity, uint32_t chunk_size, uint64_t index) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](const void* data, size_t n) {
    const auto* p = static_cast<const uint8_t*>(data);
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  };
  mix(identity.data(), identity.size());
  mix(&chunk_size, sizeof chunk_size);
  mix(&index, sizeof index);
  return h == 0 ? 1 : h;
}

}  // namespace

bool Admission::touch(std::string_view identity, uint32_t chunk_size, uint64_t index, double now_ms,
                      uint32_t admit_after, uint32_t window_s) {
  if (admit_after <= 1) return true;
  const uint64_t fp = position_hash(identity, chunk_size, index);
  Slot& s = slots_[(fp >> 17) % kSlots];
  const uint32_t now_s = static_cast<uint32_t>(std::floor(now_ms / 1000));
  if (s.fingerprint != fp || now_s - s.first_s >= window_s) s = Slot{fp, now_s, 0};  // another chunk's, or too old
  if (s.count < admit_after) ++s.count;
  return s.count >= admit_after;
}

}  // namespace s3p::cache
