#include "host_shim/codec.h"

#include "host_shim/wire.h"

namespace s3p::codec {

bool decode_init(const uint8_t* p, size_t n, std::string& config, Env& env, std::string& seed) {
  wire::Reader r(p, n);
  config = r.str();
  for (auto& h : r.headers()) env[std::move(h.name)] = std::move(h.value);
  seed = r.str();
  return r.ok() && seed.size() >= 16;
}

bool decode_head(const uint8_t* p, size_t n, RequestHead& head) {
  wire::Reader r(p, n);
  head.method = r.str();
  head.path = r.str();
  head.query = r.str();
  head.headers = r.headers();
  head.has_body = r.u32() != 0;
  uint64_t lo = r.u32(), hi = r.u32();
  head.random = lo | hi << 32;
  return r.ok() && !head.path.empty();
}

// A Fetch result's fields after its kind (also each entry of a FetchBatch result).
static bool decode_fetch_result(wire::Reader& r, FetchResult& out) {
  out.outcome = static_cast<FetchOutcome>(r.u32());
  if (static_cast<uint32_t>(out.outcome) > static_cast<uint32_t>(FetchOutcome::BodyHashMismatch)) return false;
  out.status = r.u32();
  out.headers = r.headers();
  out.handle = r.u32();
  out.body = r.str();
  out.error = r.str();
  out.elapsed_ms = r.u32() / 1000.0;
  return r.ok();
}

bool decode_result(const uint8_t* p, size_t n, Result& out) {
  wire::Reader r(p, n);
  out.kind = static_cast<ActionKind>(r.u32());
  switch (out.kind) {
    case ActionKind::Fetch:
    case ActionKind::OpenChunks:  // answered like a Fetch: the assembled stream's handle, or why not
      if (!decode_fetch_result(r, out.fetch)) return false;
      break;
    case ActionKind::FetchBatch: {
      const uint32_t n = r.u32();
      if (n > kMaxFetchBatch) return false;
      out.batch.resize(n);
      for (FetchResult& f : out.batch)
        if (!decode_fetch_result(r, f)) return false;
      break;
    }
    case ActionKind::Wait: out.flag = r.u32() != 0; break;
    case ActionKind::Random:
    case ActionKind::SignRs256:
    case ActionKind::Seal:
    case ActionKind::Open:
    case ActionKind::CacheMatch:
    case ActionKind::CachePut:
    case ActionKind::CacheDelete:
    case ActionKind::ReadBody:
    case ActionKind::RegistryGet:
    case ActionKind::VerifySignature:
      out.flag = r.u32() != 0;
      out.data = r.str();
      out.error = r.str();
      break;
    default: return false;
  }
  return r.ok();
}

static void encode_body(wire::Writer& w, const Body& b) {
  w.u32(static_cast<uint32_t>(b.kind));
  if (b.kind == BodyKind::Bytes) w.str(b.bytes);
  if (b.kind == BodyKind::Handle) w.u32(b.handle);
  if (b.kind == BodyKind::SignedChunks) {
    w.u32(b.handle);
    w.str(b.chunks.signing_key);
    w.str(b.chunks.amz_date);
    w.str(b.chunks.scope);
    w.str(b.chunks.seed_signature);
    w.str(std::to_string(b.chunks.decoded_length));  // decimal: up to 5 TiB, past a u32
  }
  if (b.kind == BodyKind::Checked) {
    w.u32(b.handle);
    w.u32(b.check.aws_chunked ? 1 : 0);
    w.str(std::to_string(b.check.length));
    w.u32(static_cast<uint32_t>(b.check.digests.size()));
    for (const BodyDigest& d : b.check.digests) {
      w.str(d.algorithm);
      w.u32(d.hex ? 1 : 0);
      w.str(d.expected);
      w.str(d.trailer);
    }
  }
}

static void encode_fetch(wire::Writer& w, const FetchAction& f) {
  w.str(f.method);
  w.str(f.url);
  w.headers(f.headers);
  encode_body(w, f.body);
  w.u32(f.timeout_ms);
  w.u32(static_cast<uint32_t>(f.mode));
  w.u32(f.max_body);
  w.str(f.url_secret);
  w.str(f.url_secret_header);
}

void encode_action(const Action& a, std::string& out) {
  wire::Writer w(out);
  switch (a.kind) {
    case ActionKind::Fetch: encode_fetch(w, a.fetch); break;
    case ActionKind::FetchBatch:
      w.u32(static_cast<uint32_t>(a.batch.size()));
      for (const FetchAction& f : a.batch) encode_fetch(w, f);
      break;
    case ActionKind::Respond:
      w.u32(a.respond.status);
      w.headers(a.respond.headers);
      encode_body(w, a.respond.body);
      w.str(a.respond.log_line);
      w.u32(static_cast<uint32_t>(a.respond.background.size()));
      for (uint32_t id : a.respond.background) w.u32(id);
      w.u32(a.respond.body_deadline_ms);
      break;
    case ActionKind::OpenChunks:
      w.headers(a.chunks.store_headers);
      w.str(a.chunks.meta_url);
      w.u32(static_cast<uint32_t>(a.chunks.parts.size()));
      for (const ChunkPart& p : a.chunks.parts) {
        w.str(p.cache_url);
        w.str(p.tag);
        w.u32(p.entity_length);
        w.u32(p.offset);
        w.u32(p.length);
        w.u32(p.handle);
        w.u32(p.store ? 1 : 0);
        encode_fetch(w, p.fetch);
      }
      break;
    case ActionKind::Wait:
    case ActionKind::Spawn:
    case ActionKind::Random: w.u32(a.number); break;
    case ActionKind::ReadBody:
      w.u32(a.number);
      w.u32(a.deadline_ms);
      break;
    case ActionKind::SignRs256:
      w.str(a.call.name);
      w.str(a.call.data);
      break;
    case ActionKind::Seal:
    case ActionKind::Open:
      w.str(a.call.name);
      w.str(a.call.aad);
      w.str(a.call.data);
      break;
    case ActionKind::CacheMatch:
    case ActionKind::CacheDelete: w.str(a.call.name); break;
    case ActionKind::RegistryGet:
      w.str(a.call.name);
      w.str(a.call.data);
      w.str(a.call.aad);
      w.u32(a.number);
      break;
    case ActionKind::CachePut:
      w.str(a.call.name);
      w.headers(a.call.headers);
      w.str(a.call.data);
      break;
    case ActionKind::VerifySignature:
      w.str(a.call.name);
      w.str(a.call.aad);
      w.str(a.call.data);
      w.str(a.call.signature);
      break;
    case ActionKind::Done: w.str(a.log_line); break;
  }
}

void encode_ids(const std::vector<uint32_t>& ids, std::string& out) {
  wire::Writer w(out);
  for (uint32_t id : ids) w.u32(id);
}

}  // namespace s3p::codec
