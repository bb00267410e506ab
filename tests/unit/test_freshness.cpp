// Freshness headers (README "Freshness"): successful reads carry the Cache-Control the repository configures, else
// the backend's, else "public, max-age=60" for public repositories and "private, no-cache" for private ones — on
// the direct path and through the edge cache alike; a signed caller's response-cache-control still wins.
#include <catch2/catch.hpp>

#include "tests/unit/engine_fixture.h"
#include "worker/sign/sigv4.h"

using namespace s3p;

namespace {

const char* kConfig = R"({
  "backends": {"main": {"endpoint": "http://127.0.0.1:9000", "bucket": "bb"}},
  "access_keys": {"AKIDTEST": {"secret_access_key_secret": "KEY_SECRET",
                               "scopes": [{"account": "acct", "repository": "*", "actions": ["read"]}]}},
  "accounts": {"acct": {"repositories": {
    "pub": {"backend": "main", "prefix": "p/", "public": true, "cache": {"enabled": false}},
    "pub-set": {"backend": "main", "prefix": "p/", "public": true, "cache_control": "public, max-age=3600, immutable",
                "cache": {"enabled": false}},
    "priv": {"backend": "main", "prefix": "p/", "cache": {"enabled": false}},
    "pub-cached": {"backend": "main", "prefix": "p/", "public": true, "cache": {"chunk_size": 65536, "admit_after": 1}},
    "priv-cached": {"backend": "main", "prefix": "p/", "cache": {"enabled": true, "chunk_size": 65536}}}}}})";

struct FreshHost {
  Engine engine;
  sigv4::SigningKeyCache keys;
  FreshHost() {
    engine.init(kConfig, {{"KEY_SECRET", "test-secret"}}, enginetest::kSeed);
    INFO(engine.config_error());
    REQUIRE(engine.configured());
  }
  // GET `path` (signed by AKIDTEST when `signed_`), the backend answering 200 with `backend_headers`; the
  // Cache-Control of the answer ("<none>" without one).
  std::string cache_control(const std::string& path, Headers backend_headers, bool signed_ = false,
                            const std::string& query = "") {
    std::vector<sigv4::Header> h{{"host", "proxy.test"}, {"x-amz-content-sha256", std::string(sigv4::kEmptyPayloadHash)}};
    if (signed_)
      sigv4::sign_request("GET", path, query, h, sigv4::kEmptyPayloadHash, {"AKIDTEST", "test-secret", ""}, "us-east-1",
                          "s3", 0, keys);
    RequestHead head;
    head.method = "GET";
    head.path = path;
    head.query = query;
    for (auto& x : h) head.headers.push_back({x.name, x.value});
    head.random = 7;
    const uint32_t id = engine.begin(std::move(head), 0);
    Action a = engine.next(id, 0);
    if (a.kind == ActionKind::CacheMatch) {  // the edge cache's metadata lookup: a miss
      Result miss;
      miss.kind = ActionKind::CacheMatch;
      engine.feed(id, std::move(miss), 0);
      a = engine.next(id, 0);
    }
    REQUIRE(a.kind == ActionKind::Fetch);
    Result r;
    r.kind = ActionKind::Fetch;
    r.fetch.status = 200;
    r.fetch.handle = 2;
    backend_headers.push_back({"content-length", "10"});
    backend_headers.push_back({"etag", "\"e\""});
    r.fetch.headers = std::move(backend_headers);
    engine.feed(id, std::move(r), 0);
    a = engine.next(id, 0);
    if (a.kind == ActionKind::OpenChunks) {  // through the cache: the plan is served
      Result opened;
      opened.kind = ActionKind::OpenChunks;
      opened.fetch.status = 200;
      opened.fetch.handle = 3;
      engine.feed(id, std::move(opened), 0);
      a = engine.next(id, 0);
    }
    REQUIRE(a.kind == ActionKind::Respond);
    REQUIRE(a.respond.status == 200);
    engine.release(id);
    size_t n = 0;
    std::string value = "<none>";
    for (const Header& x : a.respond.headers)
      if (x.name == "cache-control") ++n, value = x.value;
    CHECK(n <= 1);  // never two
    return value;
  }
};

}  // namespace

TEST_CASE("freshness: the backend's Cache-Control, else a default by visibility; the repository's replaces both") {
  FreshHost host;
  CHECK(host.cache_control("/acct/pub/k", {}) == "public, max-age=60");
  CHECK(host.cache_control("/acct/pub/k", {{"cache-control", "max-age=5"}}) == "max-age=5");
  CHECK(host.cache_control("/acct/pub-set/k", {}) == "public, max-age=3600, immutable");
  CHECK(host.cache_control("/acct/pub-set/k", {{"cache-control", "no-store"}}) == "public, max-age=3600, immutable");
  CHECK(host.cache_control("/acct/priv/k", {}, true) == "private, no-cache");
  CHECK(host.cache_control("/acct/priv/k", {{"cache-control", "max-age=9"}}, true) == "max-age=9");
  // A signed caller's response-cache-control is an override: it wins over every rule.
  CHECK(host.cache_control("/acct/pub-set/k", {}, true, "response-cache-control=no-store") == "no-store");
}

TEST_CASE("freshness: the same rules through the edge cache") {
  FreshHost host;
  CHECK(host.cache_control("/acct/pub-cached/k", {}) == "public, max-age=60");
  CHECK(host.cache_control("/acct/priv-cached/other", {}, true) == "private, no-cache");
  // The metadata known: a range is answered from a chunk plan, with headers the cache assembles.
  CHECK(host.cache_control("/acct/pub-cached/kept", {{"cache-control", "max-age=7"}}) == "max-age=7");
  RequestHead head;
  head.method = "GET";
  head.path = "/acct/pub-cached/kept";
  head.headers = {{"host", "proxy.test"}, {"range", "bytes=0-4"}};
  const uint32_t id = host.engine.begin(std::move(head), 1000);
  REQUIRE(host.engine.next(id, 1000).kind == ActionKind::OpenChunks);
  Result opened;
  opened.kind = ActionKind::OpenChunks;
  opened.fetch.status = 200;
  opened.fetch.handle = 3;
  host.engine.feed(id, std::move(opened), 1000);
  const Action a = host.engine.next(id, 1000);
  REQUIRE(a.respond.status == 206);
  CHECK(*find_header(a.respond.headers, "cache-control") == "max-age=7");
  host.engine.release(id);
}

TEST_CASE("freshness: a configured Cache-Control must be a printable header value") {
  for (const char* bad : {"\"x\\r\\nset-cookie: a=b\"", "\"\\u0000\"", "7"}) {
    Engine e;
    e.init(std::string(R"({"backends": {"m": {"endpoint": "http://127.0.0.1:9000", "bucket": "b"}},
      "accounts": {"acct": {"repositories": {"r": {"backend": "m", "cache_control": )") + bad + "}}}}}",
           {}, enginetest::kSeed);
    CHECK_THAT(e.config_error(), Catch::Contains("cache_control"));
  }
}
