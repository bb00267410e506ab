#include "worker/ops/cached_object.h"

#include <cmath>

#include "worker/proto/cache_write.h"
#include "worker/cache/preconditions.h"
#include "worker/dialect/dialect.h"
#include "worker/ops/backend_fetch.h"

namespace s3p {

namespace {

bool is_condition(std::string_view name) {
  return name == "if-match" || name == "if-none-match" || name == "if-modified-since" || name == "if-unmodified-since";
}

std::string byte_range_header(uint64_t first, uint64_t last) {
  return "bytes=" + std::to_string(first) + "-" + std::to_string(last);
}

}  // namespace

bool cache_may_answer(const OpContext& ctx) {
  if (!ctx.repo->cache.enabled || !ctx.objects || !ctx.params.empty()) return false;
  const bool suffix_ranges = dialect::of(*ctx.repo->backend).capabilities().suffix_range;
  for (const Header& h : ctx.headers) {
    if (starts_with(h.name, "x-amz-server-side-encryption-customer-") || h.name == "x-amz-checksum-mode") return false;
    // Its discovery would ask what the client asked: a backend without suffix ranges goes the uncached way.
    if (h.name == "range" && !suffix_ranges && starts_with(h.value, "bytes=-")) return false;
  }
  return true;
}

CachedObjectOp::CachedObjectOp(cache::ObjectCache& cache, uint32_t task, const Repository& repo, std::string method,
                               std::string key, const Headers& client, Headers overrides, bool flat,
                               std::string_view name_key)
    : ObjectOp(*repo.backend, std::move(method), key, {}, forwarded_read_headers(client), std::move(overrides), flat),
      cache_(cache),
      task_(task),
      settings_(repo.cache),
      identity_(cache::object_identity(*repo.backend, key)),
      name_key_(name_key),
      meta_url_(cache::meta_url(identity_, name_key)) {
  for (const Header& h : client)
    if (is_condition(h.name)) conditions_.push_back(h);
  if (const std::string* r = find_header(client, "range")) range_ = *r, has_range_ = true;
}

CachedObjectOp::~CachedObjectOp() {
  release_lead();
  if (waiting_) cache_.stop_waiting(identity_, task_);
}

void CachedObjectOp::release_lead() {
  if (leading_) cache_.finish(identity_, task_);  // the waiters look again: they find what we learnt, or lead
  leading_ = false;
}

// An answer made of the metadata alone is a hit when no origin request taught (or revalidated) it.
std::string_view CachedObjectOp::metadata_outcome() const {
  return meta_from_ == "l1" || meta_from_ == "l2" ? "hit" : "miss";
}

OpStep CachedObjectOp::go(State s) {
  state_ = s;
  if (s == State::Direct) outcome_ = "bypass";
  return OpStep::again();
}

bool CachedObjectOp::answer_now(double now_ms, OpStep& out) {
  const cache::ObjectMeta* m = cache_.find_any(identity_);
  if (m && m->expires_ms <= now_ms) keep_stale(*m);
  if (!m || m->expires_ms <= now_ms) return false;
  meta_ = *m;
  meta_from_ = "l1";
  return decide(out, now_ms);
}

// With the metadata known: answer (304, 412, HEAD, an empty object), or choose Serve or Direct.
bool CachedObjectOp::decide(OpStep& out, double now_ms) {
  if (!meta_.cacheable) {
    state_ = State::Direct;
    outcome_ = "bypass";
    return false;
  }
  switch (cache::evaluate_preconditions(conditions_, meta_.etag, meta_.last_modified)) {
    case cache::Precondition::Proceed: break;
    case cache::Precondition::Failed:
      outcome_ = metadata_outcome();
      out = OpStep::fail(client_fault(errors::PreconditionFailed, "If-Match / If-Unmodified-Since (cached metadata)"));
      return true;
    case cache::Precondition::NotModified: {
      outcome_ = metadata_outcome();
      out.status = 304;
      for (const Header& h : meta_.headers)
        if (h.name == "etag" || h.name == "last-modified" || h.name == "cache-control" || h.name == "expires")
          out.headers.push_back(h);
      apply_freshness(out.headers);
      out.headers.push_back({"x-edge-cache", std::string(outcome_)});
      return true;
    }
  }
  const cache::RangeResolution rr = cache::resolve_range(has_range_ ? &range_ : nullptr, meta_.size);
  if (rr.ask == cache::RangeAsk::AskOrigin) {
    state_ = State::Direct;
    outcome_ = "bypass";
    return false;
  }
  answer_status_ = rr.ask == cache::RangeAsk::Part ? 206 : 200;
  answer_range_ = rr.ask == cache::RangeAsk::Part ? rr.range : cache::ByteRange{0, meta_.size - 1};
  if (head_ || meta_.size == 0) {  // headers only (an empty object has no chunk to read)
    outcome_ = metadata_outcome();
    out.status = answer_status_;
    out.headers = answer_headers(answer_status_);
    return true;
  }
  spans_ = cache::chunks_covering(answer_range_, meta_.size, settings_.chunk_size);
  if (spans_.empty() || spans_.size() > kMaxParts) {
    state_ = State::Direct;
    outcome_ = "bypass";
    return false;
  }
  // Which chunks are worth storing (cache/admission.h). A read none of whose chunks is goes to the origin as the
  // uncached path does — the client's own range, one request, nothing looked up or stored — and is a miss.
  admitted_.clear();
  bool any = false;
  for (const cache::ChunkSpan& c : spans_) {
    admitted_.push_back(admitted(c.index, now_ms));
    any = any || admitted_.back();
  }
  state_ = any ? State::Serve : State::Direct;
  return false;
}

Headers CachedObjectOp::answer_headers(uint32_t status) const {
  Headers h;
  h.reserve(meta_.headers.size() + overrides_.size() + 4);
  for (const Header& m : meta_.headers)
    if (!find_header(overrides_, m.name)) h.push_back(m);
  for (const Header& o : overrides_) h.push_back(o);
  apply_freshness(h);
  const uint64_t length = meta_.size == 0 ? 0 : answer_range_.length();
  h.push_back({"content-length", std::to_string(length)});
  if (status == 206)
    h.push_back({"content-range", "bytes " + std::to_string(answer_range_.first) + "-" +
                                      std::to_string(answer_range_.last) + "/" + std::to_string(meta_.size)});
  h.push_back({"accept-ranges", "bytes"});
  h.push_back({"x-edge-cache", std::string(outcome_)});
  return h;
}

Action CachedObjectOp::step(const BackendCredentials* creds, double now_ms, sigv4::SigningKeyCache& keys) {
  Action a;
  switch (state_) {
    case State::Lookup:
    case State::Waiting:
      if (!leading_ && !cache_.lead_or_wait(identity_, task_)) {
        state_ = State::Waiting;
        waiting_ = true;
        a.kind = ActionKind::Wait;
        a.number = backend().timeout_ms + 1000;  // past the leader's own timeout: it will have answered
        return a;
      }
      leading_ = true;
      state_ = State::Lookup;
      a.kind = ActionKind::CacheMatch;
      a.call.name = meta_url_;
      return a;
    case State::Discover: return discovery_request(creds, now_ms, keys);
    case State::Serve: return open_chunks(creds, now_ms, keys);
    case State::Direct: break;
  }
  return ObjectOp::step(creds, now_ms, keys);
}

// The origin request that teaches the metadata. A read with a known first byte fetches the aligned chunk holding
// it (stored on the way); anything else (HEAD, a whole GET, a suffix range) asks what the client asked, so that its
// answer serves the client as it is. Never the client's conditions: those are judged on what comes back.
Action CachedObjectOp::discovery_request(const BackendCredentials* creds, double now_ms, sigv4::SigningKeyCache& keys) {
  Headers h;
  uint64_t first = 0;
  // A chunk not admitted yet is not fetched whole: the client's own range is asked for, as without the cache.
  discovery_is_the_request_ = head_ || !has_range_ || !cache::range_start(range_, first) ||
                              !admitted(first / settings_.chunk_size, now_ms);
  if (!discovery_is_the_request_) {
    const uint64_t start = first / settings_.chunk_size * settings_.chunk_size;
    h.push_back({"range", byte_range_header(start, start + settings_.chunk_size - 1)});
  } else if (has_range_ && !has_ctl_break(range_)) {
    h.push_back({"range", range_});
  }
  if (have_stale_ && !has_ctl_break(stale_.etag)) h.push_back({"if-none-match", stale_.etag});
  Action a;
  a.kind = ActionKind::Fetch;
  a.fetch = dialect::of(backend_).read(backend_, dialect::ObjectRead{head_, key_, &h, nullptr}, creds,
                                       {static_cast<int64_t>(std::floor(now_ms / 1000)), keys});
  return a;
}

Action CachedObjectOp::open_chunks(const BackendCredentials* creds, double now_ms, sigv4::SigningKeyCache& keys) {
  Action a;
  a.kind = ActionKind::OpenChunks;
  ChunkPlan& plan = a.chunks;
  plan.store_headers = {{"content-type", "application/octet-stream"},
                        {"cache-control", "max-age=" + std::to_string(settings_.chunk_ttl_s)}};
  plan.meta_url = meta_url_;
  const int64_t now_s = static_cast<int64_t>(std::floor(now_ms / 1000));
  for (size_t i = 0; i < spans_.size(); ++i) {
    const cache::ChunkSpan& c = spans_[i];
    ChunkPart part;
    part.cache_url = cache::chunk_url(identity_, meta_.etag, settings_.chunk_size, c.index, name_key_);
    part.tag = cache::chunk_tag(meta_.etag, settings_.chunk_size, c.index);
    part.entity_length = c.entity_length;
    part.offset = c.offset;
    part.length = c.length;
    if (i == 0 && first_handle_ != 0) {
      part.handle = first_handle_;  // the discovery fetched this chunk whole: it was admitted
    } else {
      // Admitted: the whole chunk, stored on the way; else only the client's bytes of it. Either is conditional
      // on the ETag the plan belongs to: a changed object answers 412, never other bytes.
      part.store = admitted_[i];
      const uint64_t from = part.store ? c.first : c.first + c.offset;
      const uint64_t to = part.store ? c.first + c.entity_length - 1 : c.first + c.offset + c.length - 1;
      const Headers h = {{"if-match", meta_.etag}, {"range", byte_range_header(from, to)}};
      part.fetch = dialect::of(backend_).read(backend_, dialect::ObjectRead{false, key_, &h, nullptr}, creds, {now_s, keys});
    }
    chunks_admitted_ += part.store ? 1 : 0;
    plan.parts.push_back(std::move(part));
  }
  first_handle_ = 0;  // passed on: the host owns it now
  return a;
}

// Counts this request for the chunk (once per request: the discovery's count is remembered for the plan).
bool CachedObjectOp::admitted(uint64_t index, double now_ms) {
  if (index == counted_index_) return counted_admitted_;
  counted_index_ = index;
  counted_admitted_ = cache_.admission().touch(identity_, settings_.chunk_size, index, now_ms, settings_.admit_after,
                                               settings_.admit_window_s);
  return counted_admitted_;
}

OpStep CachedObjectOp::on_result(Result&& r, double now_ms) {
  switch (state_) {
    case State::Lookup: {
      if (r.kind != ActionKind::CacheMatch) break;
      cache::ObjectMeta m;
      const bool parsed = r.flag && cache::parse_meta(r.data, m);
      if (parsed && m.expires_ms <= now_ms) keep_stale(m);
      if (parsed && m.expires_ms > now_ms) {
        meta_ = std::move(m);
        meta_from_ = "l2";
        cache_.remember(identity_, meta_, now_ms);
        release_lead();
        OpStep out;
        return decide(out, now_ms) ? std::move(out) : OpStep::again();
      }
      return go(State::Discover);  // a miss, or an entry that is not a valid record: the origin tells us
    }
    case State::Waiting: {
      if (r.kind != ActionKind::Wait) break;
      waiting_ = false;
      cache_.stop_waiting(identity_, task_);
      if (const cache::ObjectMeta* m = cache_.find(identity_, now_ms)) {
        meta_ = *m;
        meta_from_ = "l1";
        OpStep out;
        return decide(out, now_ms) ? std::move(out) : OpStep::again();
      }
      // Woken without metadata (the leader failed or went away): lead now. Timed out: do not wait again.
      return go(r.flag ? State::Lookup : State::Direct);
    }
    case State::Discover:
      if (r.kind != ActionKind::Fetch) break;
      return on_discovered(std::move(r.fetch), now_ms);
    case State::Serve:
      if (r.kind != ActionKind::OpenChunks) break;
      return on_opened(std::move(r.fetch));
    case State::Direct:
      if (r.kind != ActionKind::Fetch) break;
      return direct_answer(std::move(r.fetch));
  }
  return OpStep::fail(core_fault("the object cache got a result it did not ask for"));
}

OpStep CachedObjectOp::direct_answer(FetchResult&& f) {
  OpStep out = ObjectOp::on_response(std::move(f));
  if (out.kind == OpStep::Kind::Respond) out.headers.push_back({"x-edge-cache", std::string(outcome_)});
  return out;
}

void CachedObjectOp::keep_stale(const cache::ObjectMeta& m) {
  if (!m.cacheable || (have_stale_ && stale_.expires_ms >= m.expires_ms)) return;
  stale_ = m;
  have_stale_ = true;
}

OpStep CachedObjectOp::on_discovered(FetchResult&& f, double now_ms) {
  cache::ObjectMeta m;
  const bool revalidated = f.outcome == FetchOutcome::Ok && f.status == 304 && have_stale_;
  const bool answered = f.outcome == FetchOutcome::Ok && (f.status == 200 || f.status == 206);
  if (revalidated) {
    m = stale_;  // unchanged at the origin: what we knew holds for another TTL, and its chunks with it
  } else if (!answered || !cache::learn_meta(f.status, f.headers, &ObjectOp::passes_through, m)) {
    release_lead();
    if (answered && !discovery_is_the_request_) return go(State::Direct);  // a chunk we cannot place
    return direct_answer(std::move(f));  // the origin's error (or odd answer), mapped as always
  }
  m.expires_ms = now_ms + settings_.metadata_ttl_s * 1000.0;
  meta_ = m;
  meta_from_ = revalidated ? "revalidated" : "origin";
  cache_.remember(identity_, m, now_ms);
  release_lead();
  OpStep out;
  out.background.push_back(
      CacheWrite::put("ObjectCachePut", meta_url_, cache::serialize_meta(m), settings_.metadata_ttl_s));
  auto with_background = [&out](OpStep step) {
    for (auto& t : out.background) step.background.push_back(std::move(t));
    return step;
  };
  OpStep answer;
  if (decide(answer, now_ms)) return with_background(std::move(answer));
  // The discovery's bytes serve the client when they are exactly the plan's first chunk; when they are the
  // client's own answer they go back as they are; a chunk the plan does not start with is dropped.
  if (state_ == State::Serve && f.handle != 0 && is_first_chunk(f)) {
    first_handle_ = f.handle;
    return with_background(OpStep::again());
  }
  if (discovery_is_the_request_ && !revalidated) return with_background(direct_answer(std::move(f)));
  return with_background(OpStep::again());  // Serve without the discovery's bytes, or Direct
}

// Whether an origin answer's body is exactly the plan's first chunk: a 206 for its bytes, or a 200 of an object
// that is that one chunk.
bool CachedObjectOp::is_first_chunk(const FetchResult& f) const {
  const cache::ChunkSpan& c = spans_.front();
  if (f.status == 200) return c.first == 0 && c.entity_length == meta_.size;
  const std::string* range = find_header(f.headers, "content-range");
  return f.status == 206 && range &&
         *range == "bytes " + std::to_string(c.first) + "-" + std::to_string(c.first + c.entity_length - 1) + "/" +
                       std::to_string(meta_.size);
}

OpStep CachedObjectOp::on_opened(FetchResult&& f) {
  if (f.outcome == FetchOutcome::Ok && f.status == 200 && f.handle != 0) {
    const std::string* source = find_header(f.headers, "x-s3p-source");
    const bool cached = source && (*source == "cache" || *source == "shared");
    outcome_ = cached && meta_from_ != "origin" ? "hit" : "miss";  // revalidated: the bytes came from the cache
    OpStep out;
    out.status = answer_status_;
    out.headers = answer_headers(answer_status_);
    out.body = Body{BodyKind::Handle, {}, f.handle};
    return out;
  }
  if (OpStep failure; f.outcome != FetchOutcome::Ok && backend_failure(f, failure)) return failure;
  // The object is not what the metadata says (changed: 412; deleted: 404; …): forget it here and in the Cache
  // API, and learn it again — once; after that the origin answers directly.
  cache_.forget(identity_);
  OpStep out = go(rediscovered_ ? State::Direct : State::Discover);
  rediscovered_ = true;
  out.background.push_back(CacheWrite::remove("ObjectCacheDelete", meta_url_));
  return out;
}

void CachedObjectOp::log_fields(LogLine& log) const {
  log.str("cache", outcome_);
  if (!meta_from_.empty()) log.str("cache_meta", meta_from_);
  if (!spans_.empty()) log.num("chunks", static_cast<double>(spans_.size())).num("chunks_admitted", chunks_admitted_);
}

}  // namespace s3p
