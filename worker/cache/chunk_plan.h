// Which aligned chunks cover a byte range, and the names under which the Cache API keeps the chunks and an
// object's metadata. A name is a hash of what identifies the bytes — backend, bucket, key, and for a chunk the
// ETag, the chunk size and the index — never of the client's URL: repositories over the same backend object (read
// as the same principal) share entries, and a new ETag never finds an old version's bytes.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "worker/cache/byte_range.h"
#include "worker/config/config.h"
#include "worker/config/namespace.h"

namespace s3p::cache {

struct ChunkSpan {
  uint64_t index = 0;
  uint64_t first = 0;          // the chunk's first byte in the object
  uint32_t entity_length = 0;  // the chunk's length (the last chunk may be short)
  uint32_t offset = 0;         // the requested bytes within the chunk
  uint32_t length = 0;
};

// The chunks covering `range` (within an object of `size` bytes), in order.
std::vector<ChunkSpan> chunks_covering(ByteRange range, uint64_t size, uint32_t chunk_size);

// The object a backend request addresses, and who addresses it (backend_identity.h), as one string: the cache's
// key material. Backends over one bucket with different credentials keep apart what each was let read.
std::string object_identity(const Backend& backend, std::string_view key);

// The identities of one stored object under every backend over its bucket that the request knows (the static
// config's, and those of the registry accounts it resolved): what a write through `backend` must make the cache
// forget.
std::vector<std::string> identities_at(const Namespace& ns, const Backend& backend, std::string_view key);

// `name_key` (Config::object_cache_name_key): names are HMACs under it, or plain SHA-256 hashes when it is empty.
std::string meta_url(std::string_view identity, std::string_view name_key);
std::string chunk_url(std::string_view identity, std::string_view etag, uint32_t chunk_size, uint64_t index,
                      std::string_view name_key);
// What a stored chunk carries (the x-s3p-chunk header) and a reader compares: an entry left by another ETag, size
// or index — or by anything else — is a miss.
std::string chunk_tag(std::string_view etag, uint32_t chunk_size, uint64_t index);

}  // namespace s3p::cache
