// A test host for the Engine with anonymous backends: begin a request, answer its backend fetches with canned
// documents, read its response. Shared by the tests that check request-level rules (listings, routing, errors).
#pragma once
#include <string>

#include <catch2/catch.hpp>

#include "worker/core/engine.h"

namespace enginetest {

// Account "acct": repositories "a", "b", ... "k" (eleven, for walks), "root" with an empty backend prefix, "pre"
// with prefix "pre/"; flat bucket "flat" onto backend bucket "fb" with prefix "f/". All public: these tests are
// about listings and routing, not who may see them (test_auth.cpp); none caches objects (test_object_cache.cpp).
inline std::string config() {
  std::string repos;
  for (char c = 'a'; c <= 'k'; ++c) repos += std::string("\"") + c + "\": {\"backend\": \"main\", \"prefix\": \"" + c + "/\", \"public\": true, \"cache\": {\"enabled\": false}},";
  return R"({
    "backends": {
      "main": {"endpoint": "http://127.0.0.1:9000", "bucket": "backend-bucket"},
      "flatb": {"endpoint": "http://127.0.0.1:9000", "bucket": "fb"}
    },
    "buckets": {"flat": {"backend": "flatb", "prefix": "f/", "public": true, "cache": {"enabled": false}}},
    "accounts": {"acct": {"repositories": {)" + repos + R"(
      "root": {"backend": "main", "prefix": "", "public": true, "cache": {"enabled": false}},
      "pre": {"backend": "main", "prefix": "pre/", "public": true, "cache": {"enabled": false}}}}}
  })";
}

// Host randomness for Engine::init (the per-core listing-token key of a config without secrets).
inline constexpr std::string_view kSeed = "unit-test seed, 32 bytes long...";

struct Host {
  s3p::Engine engine;
  explicit Host(const std::string& cfg = config()) {
    engine.init(cfg, {}, kSeed);
    REQUIRE(engine.configured());
  }
  uint32_t begin(const std::string& method, const std::string& path, const std::string& query = "") {
    s3p::RequestHead h;
    h.method = method;
    h.path = path;
    h.query = query;
    h.random = 7;
    return engine.begin(std::move(h), 0);
  }
  s3p::Action next(uint32_t id) { return engine.next(id, 0); }
  void answer(uint32_t id, uint32_t status, std::string body) {
    s3p::Result r;
    r.kind = s3p::ActionKind::Fetch;
    r.fetch.status = status;
    r.fetch.body = std::move(body);
    engine.feed(id, std::move(r), 0);
  }
};

// An empty V2 backend page (what a backend answers for a prefix with no keys).
inline std::string empty_page(const std::string& prefix) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult><Name>backend-bucket</Name><Prefix>" + prefix +
         "</Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>";
}

// The text of the first <name>...</name> in `doc`, or "<absent>".
inline std::string element(const std::string& doc, const std::string& name) {
  const std::string open = "<" + name + ">", close = "</" + name + ">";
  const size_t a = doc.find(open);
  if (a == std::string::npos) return "<absent>";
  const size_t b = doc.find(close, a);
  return b == std::string::npos ? "<absent>" : doc.substr(a + open.size(), b - a - open.size());
}

}  // namespace enginetest
