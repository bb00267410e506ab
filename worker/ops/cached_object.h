// GetObject / HeadObject through the edge chunk cache (worker/cache/). The object's metadata (size, ETag, type)
// comes from the isolate, the Cache API or — once per TTL — the origin; HEAD and conditional requests are answered
// from it; a GET becomes a plan of aligned chunks that the host serves from the Cache API or the origin (bytes
// never enter the core). Anything the cache should not answer goes to the origin as ObjectOp does.
//
//   Lookup ──(hit)──────────────────────────────┐
//     │ miss                                    ▼
//   Discover: one origin request (another     decide: 304 / 412 / HEAD answer ─► done
//   request already doing it → Wait for it;     │ GET
//   If-None-Match the expired metadata's ETag:  │
//   a 304 renews it, no bytes fetched)          │
//     │ learns the metadata (stored later)      ▼
//     └───────────────────────────────────────► Serve: OpenChunks ─► 200/206 + stream
//                                               │ 412 (the object changed): forget, Discover once more
//   Direct (bypass): ObjectOp's request ◄───────┘ anything else the plan does not cover
#pragma once
#include <string>

#include "worker/cache/byte_range.h"
#include "worker/cache/chunk_plan.h"
#include "worker/cache/object_cache.h"
#include "worker/ops/get_object.h"
#include "worker/ops/op_context.h"

namespace s3p {

// Whether a GetObject/HeadObject may go through the cache: the repository caches, and the request asks for the
// current version's bytes as stored (no versionId or partNumber, no customer-provided key, no checksum mode).
bool cache_may_answer(const OpContext& ctx);

class CachedObjectOp : public ObjectOp {
 public:
  CachedObjectOp(cache::ObjectCache& cache, uint32_t task, const Repository& repo, std::string method,
                 std::string key, const Headers& client, Headers overrides, bool flat, std::string_view name_key);
  ~CachedObjectOp() override;

  bool answer_now(double now_ms, OpStep& out) override;
  Action step(const BackendCredentials* creds, double now_ms, sigv4::SigningKeyCache& keys) override;
  OpStep on_result(Result&& r, double now_ms) override;
  void log_fields(LogLine& log) const override;

  // Most chunks one answer is assembled from; a longer read streams from the origin directly.
  static constexpr size_t kMaxParts = 16;

 private:
  enum class State { Lookup, Waiting, Discover, Serve, Direct };

  bool decide(OpStep& out, double now_ms);
  std::string_view metadata_outcome() const;
  OpStep on_discovered(FetchResult&& f, double now_ms);
  OpStep on_opened(FetchResult&& f);
  bool is_first_chunk(const FetchResult& f) const;
  OpStep direct_answer(FetchResult&& f);
  OpStep go(State s);
  Action discovery_request(const BackendCredentials* creds, double now_ms, sigv4::SigningKeyCache& keys);
  Action open_chunks(const BackendCredentials* creds, double now_ms, sigv4::SigningKeyCache& keys);
  Headers answer_headers(uint32_t status) const;
  void release_lead();
  void keep_stale(const cache::ObjectMeta& m);
  bool admitted(uint64_t chunk_index, double now_ms);

  cache::ObjectCache& cache_;
  uint32_t task_;
  const CacheSettings& settings_;
  std::string identity_;
  std::string_view name_key_;   // Config::object_cache_name_key
  std::string meta_url_;
  Headers conditions_;          // the client's If-* headers
  std::string range_;           // the client's Range header…
  bool has_range_ = false;      // …if it sent one
  State state_ = State::Lookup;
  bool leading_ = false, waiting_ = false, rediscovered_ = false;
  bool discovery_is_the_request_ = false;  // the discovery fetch asked what the client asked (not a chunk)
  cache::ObjectMeta meta_;
  cache::ObjectMeta stale_;     // expired metadata (isolate or colo): the discovery asks the origin If-None-Match it
  bool have_stale_ = false;
  std::vector<cache::ChunkSpan> spans_;
  cache::ByteRange answer_range_;
  uint32_t answer_status_ = 200;
  uint32_t first_handle_ = 0;   // the first chunk's bytes, already fetched by the discovery
  std::vector<bool> admitted_;  // per span: the chunk is admitted (stored when fetched)
  uint64_t counted_index_ = UINT64_MAX;  // the chunk last counted for admission by this request, and its verdict
  bool counted_admitted_ = false;
  double chunks_admitted_ = 0;  // parts of the plan that store their chunk
  std::string_view meta_from_ = "";   // l1 | l2 | origin | revalidated
  std::string_view outcome_ = "miss"; // hit | miss | bypass
};

}  // namespace s3p
