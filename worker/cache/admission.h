// Which chunks are worth storing: a chunk is admitted to the edge cache when it has been asked for
// `admit_after` times within `admit_window_s` (the repository's "cache" settings) in this isolate. Until then a
// miss is served as the uncached path serves it — the client's own bytes from the origin, streamed, nothing stored —
// so that a one-off read of an open-data catalogue's object costs no more than without the cache.
//
// The counts live in a fixed table of 16,384 slots (256 KiB), indexed by a hash of the chunk's position (its
// object identity, chunk size and index — not its ETag, which a cold request does not know yet). Two chunks that
// share a slot evict each other's count: forgetting one costs it one more origin read before it is admitted,
// never a wrong byte.
#pragma once
#include <array>
#include <cstdint>
#include <string_view>

namespace s3p::cache {

class Admission {
 public:
  // Counts a request for the chunk; true when, with it, the chunk has been asked for `admit_after` times within the
  // window (admit_after 1: always).
  bool touch(std::string_view identity, uint32_t chunk_size, uint64_t index, double now_ms, uint32_t admit_after,
             uint32_t window_s);

  static constexpr size_t kSlots = 16384;

 private:
  struct Slot {
    uint64_t fingerprint = 0;  // 0: empty
    uint32_t first_s = 0;      // when this count began (seconds)
    uint32_t count = 0;
  };
  std::array<Slot, kSlots> slots_{};
};

}  // namespace s3p::cache
