// The edge chunk cache's rules (ranges, chunk plans, preconditions, dates, the metadata record, the isolate's
// cache) and one request's way through the Engine: lookup, discovery, chunk plan, HEAD from the isolate, and the
// invalidation a write leaves behind.
#include <catch2/catch.hpp>

#include "worker/cache/byte_range.h"
#include "worker/cache/chunk_plan.h"
#include "worker/cache/object_cache.h"
#include "worker/cache/object_meta.h"
#include "worker/cache/preconditions.h"
#include "worker/config/config.h"
#include "worker/core/engine.h"
#include "worker/ops/get_object.h"
#include "worker/rules/http_date.h"
#include "worker/sign/sigv4.h"

using namespace s3p;
using namespace s3p::cache;

namespace {

RangeResolution range(const char* header, uint64_t size) {
  const std::string h = header ? header : "";
  return resolve_range(header ? &h : nullptr, size);
}

struct Wakes : Waker {
  std::vector<uint32_t> woken;
  void wake(uint32_t id) override { woken.push_back(id); }
};

}  // namespace

TEST_CASE("object cache: a Range resolves as S3 answers it, or goes to the origin") {
  CHECK(range(nullptr, 100).ask == RangeAsk::Whole);
  CHECK(range(nullptr, 0).ask == RangeAsk::Whole);
  auto r = range("bytes=0-9", 100);
  CHECK((r.ask == RangeAsk::Part && r.range.first == 0 && r.range.last == 9));
  r = range("bytes=0-100", 100);  // ending one past the last byte: clamped, never "bytes 0-100/100"
  CHECK((r.ask == RangeAsk::Part && r.range.first == 0 && r.range.last == 99));
  r = range("bytes=0-99", 100);
  CHECK((r.ask == RangeAsk::Part && r.range.first == 0 && r.range.last == 99));
  r = range("bytes=90-200", 100);  // clamped to the object
  CHECK((r.ask == RangeAsk::Part && r.range.first == 90 && r.range.last == 99));
  r = range("bytes=95-", 100);
  CHECK((r.ask == RangeAsk::Part && r.range.first == 95 && r.range.last == 99));
  r = range("bytes=-10", 100);
  CHECK((r.ask == RangeAsk::Part && r.range.first == 90 && r.range.last == 99));
  r = range("bytes=-1000", 100);  // a suffix longer than the object: all of it, as a 206
  CHECK((r.ask == RangeAsk::Part && r.range.first == 0 && r.range.last == 99));
  // What the origin answers better than we would copy it: unsatisfiable, empty objects, lists, other units, junk.
  for (const char* h : {"bytes=100-", "bytes=100-200", "bytes=-0", "bytes=5-4", "bytes=0-1,5-6", "items=0-1", "bytes=",
                        "bytes=-", "bytes= 0-1", "bytes=0x1-2", "bytes=99999999999999999999-", ""})
    CHECK(range(h, 100).ask == RangeAsk::AskOrigin);
  CHECK(range("bytes=0-0", 0).ask == RangeAsk::AskOrigin);
  uint64_t first = 0;
  CHECK((range_start("bytes=70-", first) && first == 70));
  CHECK_FALSE(range_start("bytes=-70", first));
  CHECK_FALSE(range_start("bytes=9-3", first));
}

TEST_CASE("object cache: the chunks covering a range cover exactly it") {
  const uint32_t C = 1000;
  for (uint64_t size : {1ull, 999ull, 1000ull, 1001ull, 5500ull}) {
    for (uint64_t first = 0; first < size; first += 97) {
      for (uint64_t last = first; last < size; last += 331) {
        const auto spans = chunks_covering({first, last}, size, C);
        REQUIRE(!spans.empty());
        uint64_t at = first;
        for (const auto& s : spans) {
          CHECK(s.first == s.index * C);
          CHECK(s.entity_length == std::min<uint64_t>(C, size - s.first));
          CHECK(s.first + s.offset == at);  // contiguous
          CHECK(s.offset + s.length <= s.entity_length);
          at += s.length;
        }
        CHECK(at == last + 1);
      }
    }
  }
  CHECK(chunks_covering({0, 10}, 5, C).empty());  // past the end: nothing, never a short plan
}

TEST_CASE("object cache: entry names depend on the backend, key, ETag, chunk size and index — never the client's URL") {
  Backend a;
  a.scheme = "https";
  a.authority = "s3.example";
  a.bucket = "b";
  Backend other = a;
  other.bucket = "c";
  const std::string id = object_identity(a, "k");
  CHECK(id != object_identity(other, "k"));
  CHECK(id != object_identity(a, "k2"));
  const std::string u = chunk_url(id, "\"e1\"", 1000, 3, "");
  CHECK(u != chunk_url(id, "\"e2\"", 1000, 3, ""));
  CHECK(u != chunk_url(id, "\"e1\"", 2000, 3, ""));
  CHECK(u != chunk_url(id, "\"e1\"", 1000, 4, ""));
  // Keyed names: nobody without the deployment's secret can find an entry from what identifies the object.
  CHECK(u != chunk_url(id, "\"e1\"", 1000, 3, "key"));
  CHECK(chunk_url(id, "\"e1\"", 1000, 3, "key") != chunk_url(id, "\"e1\"", 1000, 3, "other key"));
  CHECK(meta_url(id, "key") != meta_url(id, ""));
  CHECK(u.rfind("https://object-cache.internal/v1/chunk/", 0) == 0);
  CHECK(meta_url(id, "") != meta_url(object_identity(a, "k2"), ""));
  CHECK(chunk_tag("\"e1\"", 1000, 3) == "1000 3 \"e1\"");
}

TEST_CASE("object cache: preconditions follow RFC 9110's order, as S3 does") {
  const std::string etag = "\"abc\"", lm = "Wed, 01 Jan 2025 00:00:00 GMT";
  auto eval = [&](Headers h) { return evaluate_preconditions(h, etag, lm); };
  CHECK(eval({}) == Precondition::Proceed);
  CHECK(eval({{"if-match", "\"abc\""}}) == Precondition::Proceed);
  CHECK(eval({{"if-match", "abc"}}) == Precondition::Proceed);  // unquoted, as some clients send it
  CHECK(eval({{"if-match", "\"x\", \"abc\""}}) == Precondition::Proceed);
  CHECK(eval({{"if-match", "*"}}) == Precondition::Proceed);
  CHECK(eval({{"if-match", "\"x\""}}) == Precondition::Failed);
  CHECK(eval({{"if-none-match", "\"abc\""}}) == Precondition::NotModified);
  CHECK(eval({{"if-none-match", "W/\"abc\""}}) == Precondition::NotModified);
  CHECK(eval({{"if-none-match", "\"x\""}}) == Precondition::Proceed);
  CHECK(eval({{"if-modified-since", "Thu, 02 Jan 2025 00:00:00 GMT"}}) == Precondition::NotModified);
  CHECK(eval({{"if-modified-since", "Wed, 01 Jan 2025 00:00:00 GMT"}}) == Precondition::NotModified);
  CHECK(eval({{"if-modified-since", "Tue, 31 Dec 2024 00:00:00 GMT"}}) == Precondition::Proceed);
  CHECK(eval({{"if-modified-since", "yesterday"}}) == Precondition::Proceed);  // unreadable: ignored
  CHECK(eval({{"if-unmodified-since", "Tue, 31 Dec 2024 00:00:00 GMT"}}) == Precondition::Failed);
  CHECK(eval({{"if-unmodified-since", "Thu, 02 Jan 2025 00:00:00 GMT"}}) == Precondition::Proceed);
  // If-Match true wins over If-Unmodified-Since false; If-None-Match false wins over If-Modified-Since true.
  CHECK(eval({{"if-match", "\"abc\""}, {"if-unmodified-since", "Tue, 31 Dec 2024 00:00:00 GMT"}}) == Precondition::Proceed);
  CHECK(eval({{"if-none-match", "\"x\""}, {"if-modified-since", "Thu, 02 Jan 2025 00:00:00 GMT"}}) == Precondition::Proceed);
  CHECK(eval({{"if-match", "\"x\""}, {"if-none-match", "\"abc\""}}) == Precondition::Failed);  // 412 before 304
}

TEST_CASE("object cache: HTTP dates (RFC 9110's example)") {
  int64_t s = 0;
  CHECK((parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT", s) && s == 784111777));
  CHECK((parse_http_date("Tue, 29 Feb 2000 00:00:00 GMT", s) && s == 951782400));  // a leap day
  CHECK((parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT", s) && s == 0));
  for (const char* bad : {"Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Sun, 06 Nov 1994 08:49:37 UTC",
                          "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:49:37 GMT",
                          "Fri, 31 Nov 1994 08:49:37 GMT", "Mon, 29 Feb 2100 08:49:37 GMT", ""})
    CHECK_FALSE(parse_http_date(bad, s));
}

TEST_CASE("object cache: metadata is learnt from 200 and 206 answers and kept only when it can be trusted") {
  ObjectMeta m;
  Headers h = {{"content-range", "bytes 0-999/123456"}, {"etag", "\"e\""}, {"content-type", "image/tiff"},
               {"content-length", "1000"}, {"x-amz-meta-a", "1"}, {"x-amz-request-id", "backend"}, {"x-amz-checksum-crc32", "x"}};
  REQUIRE(learn_meta(206, h, &ObjectOp::passes_through, m));
  CHECK(m.size == 123456);
  CHECK(m.cacheable);
  CHECK(find_header(m.headers, "content-type"));
  CHECK(find_header(m.headers, "x-amz-meta-a"));
  CHECK_FALSE(find_header(m.headers, "content-length"));    // computed per answer
  CHECK_FALSE(find_header(m.headers, "x-amz-request-id"));  // the backend's own, never shown
  CHECK_FALSE(find_header(m.headers, "x-amz-checksum-crc32"));  // a whole-object checksum on a range is wrong
  REQUIRE(learn_meta(200, {{"content-length", "5"}, {"etag", "\"e\""}}, &ObjectOp::passes_through, m));
  CHECK(m.size == 5);
  CHECK_FALSE(learn_meta(206, {{"content-length", "5"}}, &ObjectOp::passes_through, m));  // no total size
  CHECK_FALSE(learn_meta(304, {{"content-length", "5"}}, &ObjectOp::passes_through, m));
  // Not cacheable: bytes stored encoded, a customer-provided key, no ETag.
  REQUIRE(learn_meta(200, {{"content-length", "5"}, {"etag", "\"e\""}, {"content-encoding", "gzip"}}, &ObjectOp::passes_through, m));
  CHECK_FALSE(m.cacheable);
  REQUIRE(learn_meta(200, {{"content-length", "5"}, {"etag", "\"e\""}, {"x-amz-server-side-encryption-customer-algorithm", "AES256"}},
                     &ObjectOp::passes_through, m));
  CHECK_FALSE(m.cacheable);
  REQUIRE(learn_meta(200, {{"content-length", "5"}}, &ObjectOp::passes_through, m));
  CHECK_FALSE(m.cacheable);
}

TEST_CASE("object cache: the metadata record round-trips; every truncation or corruption is a miss") {
  ObjectMeta m;
  m.size = 42;
  m.etag = "\"e\"";
  m.last_modified = "Wed, 01 Jan 2025 00:00:00 GMT";
  m.cacheable = true;
  m.headers = {{"content-type", "text/plain"}, {"x-amz-meta-k", "v w"}};
  m.expires_ms = 1234567;
  const std::string rec = serialize_meta(m);
  ObjectMeta back;
  REQUIRE(parse_meta(rec, back));
  CHECK(back.size == 42);
  CHECK(back.etag == m.etag);
  CHECK(back.last_modified == m.last_modified);
  CHECK(back.expires_ms == 1234567);
  CHECK(back.headers.size() == 2);
  for (size_t n = 0; n < rec.size(); ++n) CHECK_FALSE(parse_meta(rec.substr(0, n), back));
  CHECK_FALSE(parse_meta(rec + "x", back));
  CHECK_FALSE(parse_meta("s3p-object-meta 2" + rec.substr(17), back));
}

TEST_CASE("object cache: the isolate's metadata expires, stays bounded, and discovery has one leader") {
  Wakes w;
  ObjectCache c(w);
  ObjectMeta m;
  m.expires_ms = 100;
  c.remember("a", m, 0);
  CHECK(c.find("a", 99));
  CHECK_FALSE(c.find("a", 100));
  CHECK(c.find_any("a"));  // kept, expired: its ETag revalidates
  for (size_t i = 0; i < ObjectCache::kCapacity + 50; ++i) c.remember(std::to_string(i), m, 0);
  CHECK(c.size() <= ObjectCache::kCapacity);

  m.expires_ms = 1e12;
  c.remember("x", m, 0);
  c.remember("y", m, 0);
  c.forget_by_meta_url(meta_url("x", "k"), "k");  // what the host names when an answer found the object changed
  CHECK_FALSE(c.find_any("x"));
  CHECK(c.find_any("y"));

  CHECK(c.lead_or_wait("k", 1));
  CHECK_FALSE(c.lead_or_wait("k", 2));
  CHECK_FALSE(c.lead_or_wait("k", 3));
  c.stop_waiting("k", 3);
  c.finish("k", 2);  // not the leader: nothing happens
  CHECK(w.woken.empty());
  c.finish("k", 1);
  CHECK(w.woken == std::vector<uint32_t>{2});
  CHECK(c.lead_or_wait("k", 2));  // free again
}

TEST_CASE("object cache config: public repositories cache by default, private ones only when configured") {
  auto load = [](const std::string& repos, std::string& error) {
    Config cfg;
    load_config(R"({"backends": {"b": {"endpoint": "https://h", "bucket": "bk"}}, "accounts": {"acct": {"repositories": {)" +
                    repos + "}}}}",
                {}, cfg, error);
    return cfg;
  };
  std::string error;
  Config cfg = load(R"("pub": {"backend": "b", "public": true}, "priv": {"backend": "b"},
                       "priv-on": {"backend": "b", "cache": {"enabled": true, "chunk_size": 65536}})", error);
  REQUIRE(error.empty());
  const Account* a = cfg.find("acct");
  CHECK(a->find("pub")->cache.enabled);
  CHECK(a->find("pub")->cache.chunk_size == 4u << 20);
  CHECK_FALSE(a->find("priv")->cache.enabled);
  CHECK(a->find("priv-on")->cache.enabled);
  CHECK(a->find("priv-on")->cache.chunk_size == 65536);
  CHECK(cfg.any_cached);
  for (const char* bad : {R"("r": {"backend": "b", "cache": {"chunk_size": 1000}})", R"("r": {"backend": "b", "cache": true})",
                          R"("r": {"backend": "b", "cache": {"metadata_ttl_s": 0}})", R"("r": {"backend": "b", "cache": {"enabled": 1}})"}) {
    error.clear();
    load(bad, error);
    CHECK_THAT(error, Catch::Contains("acct.repositories.r.cache"));
  }
}

namespace {

const char* kCachedConfig = R"({
  "backends": {"main": {"endpoint": "http://127.0.0.1:9000", "bucket": "bb"}},
  "access_keys": {"AKIDTEST": {"secret_access_key_secret": "KEY_SECRET",
                               "scopes": [{"account": "acct", "repository": "r", "actions": ["read", "write", "delete"]}]}},
  "accounts": {"acct": {"repositories": {"r": {"backend": "main", "prefix": "p/", "public": true,
                                               "cache": {"chunk_size": 65536, "metadata_ttl_s": 30, "admit_after": 1}}}}}})";

struct CacheHost {
  Engine engine;
  sigv4::SigningKeyCache keys;
  explicit CacheHost(const std::string& config = kCachedConfig) {
    engine.init(config, {{"KEY_SECRET", "test-secret"}}, "unit-test seed, 32 bytes long...");
    REQUIRE(engine.configured());
  }
  // Signed by AKIDTEST, without a body, at the engine's clock 0.
  uint32_t begin_signed(const std::string& method, const std::string& path) {
    std::vector<sigv4::Header> h{{"host", "proxy.test"}, {"x-amz-content-sha256", std::string(sigv4::kEmptyPayloadHash)}};
    sigv4::sign_request(method, path, "", h, sigv4::kEmptyPayloadHash, {"AKIDTEST", "test-secret", ""}, "us-east-1", "s3", 0, keys);
    Headers headers;
    for (auto& x : h) headers.push_back({x.name, x.value});
    return begin(method, path, std::move(headers));
  }
  uint32_t begin(const std::string& method, const std::string& path, Headers headers = {}, double now = 0) {
    RequestHead h;
    h.method = method;
    h.path = path;
    h.headers = std::move(headers);
    h.random = 7;
    return engine.begin(std::move(h), now);
  }
  // The colo's cache holds no metadata entry for the object (the answer to a CacheMatch).
  void colo_miss(uint32_t id, double now = 0) {
    Result r;
    r.kind = ActionKind::CacheMatch;
    engine.feed(id, std::move(r), now);
  }
  // A HEAD that finds the object's metadata nowhere and learns it from the backend's answer.
  void learn_by_head(const std::string& path, Headers backend_headers) {
    const uint32_t id = begin("HEAD", path);
    REQUIRE(engine.next(id, 0).kind == ActionKind::CacheMatch);
    colo_miss(id);
    REQUIRE(engine.next(id, 0).kind == ActionKind::Fetch);
    answer(id, 200, std::move(backend_headers));
    REQUIRE(engine.next(id, 0).kind == ActionKind::Respond);
    engine.release(id);
  }
  // The backend answers the Fetch (or, with kind OpenChunks, the host the chunk plan).
  // `handle`: the stream of its body, if any.
  void answer(uint32_t id, int status, Headers headers = {}, double now = 0, ActionKind kind = ActionKind::Fetch,
              uint32_t handle = 0) {
    Result r;
    r.kind = kind;
    r.fetch.status = status;
    r.fetch.handle = handle;
    r.fetch.headers = std::move(headers);
    engine.feed(id, std::move(r), now);
  }
};

}  // namespace

TEST_CASE("object cache through the Engine: miss → discovery of the aligned chunk → chunk plan; then HEAD from the isolate") {
  CacheHost host;
  const uint32_t id = host.begin("GET", "/acct/r/k", {{"range", "bytes=70000-70009"}, {"if-none-match", "\"old\""}});
  Action a = host.engine.next(id, 0);
  REQUIRE(a.kind == ActionKind::CacheMatch);  // the colo's metadata first
  CHECK(a.call.name.rfind("https://object-cache.internal/v1/meta/", 0) == 0);
  host.colo_miss(id);
  a = host.engine.next(id, 0);
  REQUIRE(a.kind == ActionKind::Fetch);  // the aligned chunk holding byte 70000, without the client's conditions
  CHECK(*find_header(a.fetch.headers, "range") == "bytes=65536-131071");
  CHECK_FALSE(find_header(a.fetch.headers, "if-none-match"));
  CHECK(a.fetch.url == "http://127.0.0.1:9000/bb/p/k");

  // Meanwhile a second cold request for the object waits for this one instead of asking the origin.
  const uint32_t id2 = host.begin("HEAD", "/acct/r/k");
  Action w = host.engine.next(id2, 0);
  REQUIRE(w.kind == ActionKind::Wait);

  host.answer(id, 206, {{"content-range", "bytes 65536-131071/200000"}, {"content-length", "65536"}, {"etag", "\"v1\""},
                        {"content-type", "application/x-parquet"}}, 0, ActionKind::Fetch, 2);
  a = host.engine.next(id, 0);
  REQUIRE(a.kind == ActionKind::OpenChunks);
  REQUIRE(a.chunks.parts.size() == 1);
  CHECK(a.chunks.parts[0].handle == 2);  // the discovery's bytes, not a second origin request
  CHECK(a.chunks.parts[0].offset == 70000 - 65536);
  CHECK(a.chunks.parts[0].length == 10);
  CHECK(a.chunks.parts[0].entity_length == 65536);
  CHECK(a.chunks.parts[0].tag == "65536 1 \"v1\"");
  CHECK(host.engine.take_wakeups() == std::vector<uint32_t>{id2});

  Result opened;
  opened.kind = ActionKind::OpenChunks;
  opened.fetch.status = 200;
  opened.fetch.handle = 3;
  opened.fetch.headers = {{"x-s3p-source", "origin"}};
  host.engine.feed(id, std::move(opened), 0);
  a = host.engine.next(id, 0);
  REQUIRE(a.kind == ActionKind::Respond);
  CHECK(a.respond.status == 206);
  CHECK(*find_header(a.respond.headers, "content-range") == "bytes 70000-70009/200000");
  CHECK(*find_header(a.respond.headers, "content-length") == "10");
  CHECK(*find_header(a.respond.headers, "x-edge-cache") == "miss");
  CHECK(a.respond.body.handle == 3);
  CHECK(a.respond.background.size() == 1);  // the metadata, stored in the colo's cache in the background
  CHECK_THAT(a.respond.log_line, Catch::Contains("\"cache\":\"miss\""));

  // The waiting HEAD is answered from what the leader learnt.
  Result woken;
  woken.kind = ActionKind::Wait;
  woken.flag = true;
  host.engine.feed(id2, std::move(woken), 0);
  a = host.engine.next(id2, 0);
  REQUIRE(a.kind == ActionKind::Respond);
  CHECK(a.respond.status == 200);
  CHECK(*find_header(a.respond.headers, "content-length") == "200000");
  CHECK(*find_header(a.respond.headers, "etag") == "\"v1\"");

  // A later GET of a range already planned: no lookup, no discovery — the plan at once, each part signed and
  // conditional on the ETag.
  const uint32_t id3 = host.begin("GET", "/acct/r/k", {{"range", "bytes=0-70000"}}, 1000);
  a = host.engine.next(id3, 1000);
  REQUIRE(a.kind == ActionKind::OpenChunks);
  REQUIRE(a.chunks.parts.size() == 2);
  CHECK(*find_header(a.chunks.parts[1].fetch.headers, "if-match") == "\"v1\"");
  CHECK(*find_header(a.chunks.parts[1].fetch.headers, "range") == "bytes=65536-131071");
  // The origin says the object changed (412): the metadata is forgotten and learnt again.
  host.answer(id3, 412, {}, 1000, ActionKind::OpenChunks);
  a = host.engine.next(id3, 1000);
  REQUIRE(a.kind == ActionKind::Fetch);
  CHECK(*find_header(a.fetch.headers, "range") == "bytes=0-65535");
  for (uint32_t i : {id, id2, id3}) host.engine.release(i);
}

TEST_CASE("object cache through the Engine: a write forgets the object here and in the colo's cache") {
  CacheHost host;
  const uint32_t id = host.begin("HEAD", "/acct/r/k");
  Action a = host.engine.next(id, 0);
  REQUIRE(a.kind == ActionKind::CacheMatch);
  host.colo_miss(id);
  a = host.engine.next(id, 0);
  REQUIRE(a.kind == ActionKind::Fetch);
  CHECK(a.fetch.method == "HEAD");
  host.answer(id, 200, {{"content-length", "5"}, {"etag", "\"v1\""}});
  REQUIRE(host.engine.next(id, 0).kind == ActionKind::Respond);
  host.engine.release(id);
  const std::string identity = object_identity(*host.engine.config().find("acct")->find("r")->backend, "p/k");
  CHECK(host.engine.objects().find(identity, 1));

  // Anonymous callers may not delete: refused before any backend request, and nothing is forgotten.
  const uint32_t anon = host.begin("DELETE", "/acct/r/k");
  a = host.engine.next(anon, 0);
  REQUIRE(a.kind == ActionKind::Respond);
  CHECK(a.respond.status == 403);
  CHECK(host.engine.objects().find(identity, 1));
  host.engine.release(anon);

  // A DELETE the backend fails still forgets (a write that failed may have landed), here at once and in the
  // colo's cache by a background task the answer carries.
  const uint32_t del = host.begin_signed("DELETE", "/acct/r/k");
  a = host.engine.next(del, 0);
  REQUIRE(a.kind == ActionKind::Fetch);
  host.answer(del, 500, {}, 0);
  a = host.engine.next(del, 0);
  REQUIRE(a.kind == ActionKind::Respond);
  CHECK(a.respond.status == 503);
  CHECK_FALSE(host.engine.objects().find(identity, 1));
  REQUIRE(a.respond.background.size() == 1);
  Action bg = host.engine.next(a.respond.background[0], 0);
  CHECK(bg.kind == ActionKind::CacheDelete);
  CHECK(bg.call.name == meta_url(identity, host.engine.config().object_cache_name_key));
  CHECK_FALSE(host.engine.config().object_cache_name_key.empty());  // the config has secrets: names are keyed
  host.engine.release(del);
  host.engine.release(a.respond.background[0]);
}

TEST_CASE("object cache through the Engine: expired metadata is revalidated (If-None-Match), a 304 fetches no bytes") {
  CacheHost host;
  host.learn_by_head("/acct/r/k", {{"content-length", "100000"}, {"etag", "\"v1\""}});

  const double later = 31000;  // past the 30 s metadata TTL
  const uint32_t r = host.begin("GET", "/acct/r/k", {{"range", "bytes=10-19"}}, later);
  REQUIRE(host.engine.next(r, later).kind == ActionKind::CacheMatch);
  host.colo_miss(r, later);
  Action a = host.engine.next(r, later);
  REQUIRE(a.kind == ActionKind::Fetch);
  CHECK(*find_header(a.fetch.headers, "if-none-match") == "\"v1\"");
  host.answer(r, 304, {}, later);
  a = host.engine.next(r, later);
  REQUIRE(a.kind == ActionKind::OpenChunks);  // the chunks of "v1" are still good: served from the cache
  REQUIRE(a.chunks.parts.size() == 1);
  CHECK(a.chunks.parts[0].handle == 0);
  CHECK(a.chunks.parts[0].tag == "65536 0 \"v1\"");
  host.engine.release(r);
}

// The stream deadline (ops/stream_deadline.h) is for a backend body streamed straight through; a chunk plan's parts
// each have a whole-chunk fetch deadline already, and piping the assembled answer again hung it (found in e2e).
TEST_CASE("object cache through the Engine: a chunk-plan answer carries no stream deadline; a bypassed one does") {
  std::string config = kCachedConfig;
  const std::string bucket = R"("bucket": "bb")";
  config.insert(config.find(bucket) + bucket.size(), R"(, "min_body_rate_kib_s": 16)");
  CacheHost host(config);
  host.learn_by_head("/acct/r/k", {{"content-length", "10485760"}, {"etag", "\"v1\""}});

  // 1 MiB in 16 chunks of 64 KiB: served by a plan.
  const uint32_t planned = host.begin("GET", "/acct/r/k", {{"range", "bytes=0-1048575"}});
  Action a = host.engine.next(planned, 0);
  REQUIRE(a.kind == ActionKind::OpenChunks);
  host.answer(planned, 200, {}, 0, ActionKind::OpenChunks, 3);
  a = host.engine.next(planned, 0);
  REQUIRE(a.kind == ActionKind::Respond);
  CHECK(*find_header(a.respond.headers, "content-length") == "1048576");
  CHECK(a.respond.body_deadline_ms == 0);
  host.engine.release(planned);

  // The whole 10 MiB object is more than 16 chunks: it bypasses the cache, streamed from the origin, with a deadline.
  const uint32_t direct = host.begin("GET", "/acct/r/k");
  a = host.engine.next(direct, 0);
  REQUIRE(a.kind == ActionKind::Fetch);
  host.answer(direct, 200, {{"content-length", "10485760"}, {"etag", "\"v1\""}}, 0, ActionKind::Fetch, 4);
  a = host.engine.next(direct, 0);
  REQUIRE(a.kind == ActionKind::Respond);
  CHECK(*find_header(a.respond.headers, "x-edge-cache") == "bypass");
  CHECK(a.respond.body_deadline_ms == 30000 + 640000 + 1);  // 10 MiB at 16 KiB/s after the 30 s first-byte timeout
  host.engine.release(direct);
}

TEST_CASE("object cache admission: a chunk is stored once asked for admit_after times within the window") {
  cache::Admission a;
  CHECK_FALSE(a.touch("id", 65536, 3, 0, 2, 60));
  CHECK(a.touch("id", 65536, 3, 1000, 2, 60));  // the second request within the window
  CHECK(a.touch("id", 65536, 3, 2000, 2, 60));  // and from then on
  CHECK_FALSE(a.touch("id", 65536, 4, 0, 2, 60));      // another chunk counts apart
  CHECK_FALSE(a.touch("other", 65536, 3, 0, 2, 60));   // so does another object's
  CHECK_FALSE(a.touch("id", 131072, 3, 0, 2, 60));     // or another chunk size's
  CHECK_FALSE(a.touch("id", 65536, 9, 0, 2, 60));
  CHECK_FALSE(a.touch("id", 65536, 9, 61000, 2, 60));  // past the window: counting starts again
  CHECK(a.touch("id", 65536, 9, 62000, 2, 60));
  CHECK(a.touch("id", 65536, 100, 0, 1, 60));          // admit_after 1: every miss stores
  for (int i = 0; i < 2; ++i) CHECK_FALSE(a.touch("id", 65536, 200, 0, 3, 60));
  CHECK(a.touch("id", 65536, 200, 0, 3, 60));
  CHECK(sizeof(a) <= 300u << 10);  // the table's fixed memory
}

TEST_CASE("object cache admission through the Engine: a first read streams only the client's bytes, a second stores") {
  std::string config = kCachedConfig;
  config.replace(config.find(R"(, "admit_after": 1)"), std::string(R"(, "admit_after": 1)").size(), "");  // the default: 2
  CacheHost host(config);
  // Cold object, first read of its chunk: the discovery asks for the client's range only, and answers it as is.
  uint32_t id = host.begin("GET", "/acct/r/k", {{"range", "bytes=70000-70009"}});
  REQUIRE(host.engine.next(id, 0).kind == ActionKind::CacheMatch);
  host.colo_miss(id);
  Action a = host.engine.next(id, 0);
  REQUIRE(a.kind == ActionKind::Fetch);
  CHECK(*find_header(a.fetch.headers, "range") == "bytes=70000-70009");
  host.answer(id, 206, {{"content-range", "bytes 70000-70009/200000"}, {"content-length", "10"}, {"etag", "\"v1\""}},
              0, ActionKind::Fetch, 2);
  a = host.engine.next(id, 0);
  REQUIRE(a.kind == ActionKind::Respond);
  CHECK(a.respond.status == 206);
  CHECK(a.respond.body.handle == 2);
  CHECK(*find_header(a.respond.headers, "x-edge-cache") == "miss");
  host.engine.release(id);

  // Metadata known, another never-read chunk: no chunk of the read is admitted, so it goes to the origin as the
  // uncached path does — the client's range, no cache lookup — and is a miss.
  id = host.begin("GET", "/acct/r/k", {{"range", "bytes=140000-140099"}}, 1000);
  a = host.engine.next(id, 1000);
  REQUIRE(a.kind == ActionKind::Fetch);
  CHECK(*find_header(a.fetch.headers, "range") == "bytes=140000-140099");
  host.answer(id, 206, {{"content-range", "bytes 140000-140099/200000"}, {"content-length", "100"}, {"etag", "\"v1\""}},
              1000, ActionKind::Fetch, 4);
  a = host.engine.next(id, 1000);
  REQUIRE(a.kind == ActionKind::Respond);
  CHECK(*find_header(a.respond.headers, "x-edge-cache") == "miss");
  CHECK_THAT(a.respond.log_line, Catch::Contains("\"chunks_admitted\":0"));
  host.engine.release(id);

  // The first chunk asked for again: admitted now — fetched whole, stored on the way.
  id = host.begin("GET", "/acct/r/k", {{"range", "bytes=70000-70009"}}, 2000);
  a = host.engine.next(id, 2000);
  REQUIRE(a.kind == ActionKind::OpenChunks);
  REQUIRE(a.chunks.parts.size() == 1);
  CHECK(a.chunks.parts[0].store);
  CHECK(*find_header(a.chunks.parts[0].fetch.headers, "range") == "bytes=65536-131071");
  host.engine.release(id);

  // A read across two chunks counts each: chunk 2 was asked for once before (140000), chunk 3 never.
  id = host.begin("GET", "/acct/r/k", {{"range", "bytes=150000-199000"}}, 3000);
  a = host.engine.next(id, 3000);
  REQUIRE(a.kind == ActionKind::OpenChunks);
  REQUIRE(a.chunks.parts.size() == 2);
  CHECK(a.chunks.parts[0].store);
  CHECK(*find_header(a.chunks.parts[0].fetch.headers, "range") == "bytes=131072-196607");
  CHECK_FALSE(a.chunks.parts[1].store);
  CHECK(*find_header(a.chunks.parts[1].fetch.headers, "range") == "bytes=196608-199000");
  host.engine.release(id);
}
