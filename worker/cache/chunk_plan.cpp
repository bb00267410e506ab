#include "worker/cache/chunk_plan.h"

#include <algorithm>

#include "worker/config/backend_identity.h"
#include "worker/crypto/sha256.h"
#include "worker/util/sort.h"

namespace s3p::cache {

namespace {
// Synthetic and not routable: these entries are only ever read by this Worker.
constexpr std::string_view kBase = "https://object-cache.internal/v1/";
}  // namespace

std::vector<ChunkSpan> chunks_covering(ByteRange range, uint64_t size, uint32_t chunk_size) {
  std::vector<ChunkSpan> out;
  if (size == 0 || chunk_size == 0 || range.first > range.last || range.last >= size) return out;
  for (uint64_t i = range.first / chunk_size; i <= range.last / chunk_size; ++i) {
    ChunkSpan c;
    c.index = i;
    c.first = i * chunk_size;
    const uint64_t chunk_last = std::min(size - 1, c.first + chunk_size - 1);
    c.entity_length = static_cast<uint32_t>(chunk_last - c.first + 1);
    const uint64_t from = std::max(range.first, c.first), to = std::min(range.last, chunk_last);
    c.offset = static_cast<uint32_t>(from - c.first);
    c.length = static_cast<uint32_t>(to - from + 1);
    out.push_back(c);
  }
  return out;
}

std::string object_identity(const Backend& backend, std::string_view key) {
  const std::string principal = backend_principal(backend);
  std::string id;
  id.reserve(principal.size() + backend.scheme.size() + backend.authority.size() + backend.bucket.size() + key.size() + 8);
  id += principal;  // who read the bytes: a request sent as another principal may be refused what this one got
  id += '\n';       // never in a principal, scheme, host or bucket name: no field can pose as another
  id += backend.scheme;
  id += "://";
  id += backend.authority;
  id += '/';
  id += backend.bucket;
  id += '\n';
  id += key;
  return id;
}

std::vector<std::string> identities_at(const Namespace& ns, const Backend& backend, std::string_view key) {
  std::vector<std::string> out;
  ns.for_each_backend([&](const Backend& b) {
    if (same_location(b, backend)) out.push_back(object_identity(b, key));
  });
  util::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

namespace {
std::string entry_name(std::string_view material, std::string_view name_key) {
  return crypto::hex(name_key.empty() ? crypto::sha256(material) : crypto::hmac_sha256(name_key, material));
}

}  // namespace

std::string meta_url(std::string_view identity, std::string_view name_key) {
  return std::string(kBase) + "meta/" + entry_name(identity, name_key);
}

std::string chunk_tag(std::string_view etag, uint32_t chunk_size, uint64_t index) {
  return std::to_string(chunk_size) + " " + std::to_string(index) + " " + std::string(etag);
}

std::string chunk_url(std::string_view identity, std::string_view etag, uint32_t chunk_size, uint64_t index,
                      std::string_view name_key) {
  std::string material(identity);
  material += '\n';
  material += chunk_tag(etag, chunk_size, index);
  return std::string(kBase) + "chunk/" + entry_name(material, name_key);
}

}  // namespace s3p::cache
