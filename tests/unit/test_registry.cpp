// The namespace registry (worker/registry/, config/registry_settings.h): whole requests through the Engine with a
// scripted registry — entries found, absent, malformed, unreadable; the isolate tier's TTLs, negative answers,
// stale bound and single flight; keys whose secrets derive from the deployment key.
#include <catch2/catch.hpp>

#include <map>

#include "tests/unit/engine_fixture.h"
#include "worker/config/registry_settings.h"
#include "worker/crypto/base64.h"
#include "worker/ops/list_buckets.h"
#include "worker/crypto/sha256.h"
#include "worker/registry/resolve.h"
#include "worker/sign/sigv4.h"

using namespace s3p;

namespace {

constexpr const char* kRegistryKey = "registry deployment key, 32+ bytes long";

std::string registry_config(const std::string& extra = "") {
  return R"({"registry": {"key_secret": "REG_KEY", "entry_ttl_s": 60, "negative_ttl_s": 10, "stale_s": 600)" + extra +
         R"(},
    "accounts": {"static-acct": {"repositories": {"r": {"backend": "b", "public": true, "cache": {"enabled": false}}}}},
    "backends": {"b": {"endpoint": "http://127.0.0.1:9000", "bucket": "static-bucket"}}})";
}

// An account entry: repository "data" (public) and "closed" (private) on backend "main".
const std::string kAcme = R"({"backends": {"main": {"endpoint": "http://127.0.0.1:9000", "bucket": "acme-bucket"}},
  "repositories": {"data": {"backend": "main", "prefix": "d/", "public": true, "cache": {"enabled": false}},
                   "closed": {"backend": "main", "prefix": "c/", "cache": {"enabled": false}}}})";

struct RegistryHost {
  Engine engine;
  sigv4::SigningKeyCache keys;
  explicit RegistryHost(const std::string& cfg = registry_config()) {
    engine.init(cfg, {{"REG_KEY", kRegistryKey}, {"API_TOKEN", "(held by the host)"}}, enginetest::kSeed);
    INFO(engine.config_error());
    REQUIRE(engine.configured());
  }
  uint32_t begin(const std::string& method, const std::string& path, double now_ms = 0, Headers headers = {{"host", "p"}},
                 const std::string& query = "") {
    RequestHead h;
    h.method = method;
    h.path = path;
    h.query = query;
    h.headers = std::move(headers);
    h.random = 5;
    return engine.begin(std::move(h), now_ms);
  }
  // Signed by `id` with `secret` (SigV4 header form, at `now_ms`).
  uint32_t begin_signed(const std::string& path, const std::string& id, const std::string& secret, double now_ms = 0) {
    std::vector<sigv4::Header> h{{"host", "p"}, {"x-amz-content-sha256", std::string(sigv4::kEmptyPayloadHash)}};
    sigv4::sign_request("GET", path, "", h, sigv4::kEmptyPayloadHash, {id, secret, ""}, "us-east-1", "s3",
                        static_cast<int64_t>(now_ms / 1000), keys);
    Headers hs;
    for (auto& x : h) hs.push_back({x.name, x.value});
    return begin("GET", path, now_ms, std::move(hs));
  }
  Action next(uint32_t id, double now_ms = 0) {
    Action a = engine.next(id, now_ms);
    if (a.kind == ActionKind::RegistryGet) asked_[id] = a.call.name;
    return a;
  }
  std::map<uint32_t, std::string> asked_;  // the entry each request's registry read names
  // Answers the registry read the request is making (`name`: what it asked for) with `text` sealed by the
  // deployment key, as ./scripts/registry writes it ("" = no such entry; `sealed` false: the raw text).
  void registry_answer(uint32_t id, bool ok, const std::string& text, double now_ms = 0, bool sealed = true) {
    Result r;
    r.kind = ActionKind::RegistryGet;
    r.flag = ok;
    r.data = text.empty() || !sealed ? text : seal_entry(kRegistryKey, asked_[id], text);
    r.error = ok ? "" : "KV threw";
    engine.feed(id, std::move(r), now_ms);
  }
  void woken(uint32_t id, double now_ms = 0) {
    Result r;
    r.kind = ActionKind::Wait;
    r.flag = true;
    engine.feed(id, std::move(r), now_ms);
  }
};

std::string code_of(const Action& a) { return enginetest::element(a.respond.body.bytes, "Code"); }

struct NoWake : Waker {
  void wake(uint32_t) override {}
};

}  // namespace

TEST_CASE("registry: an account S3P_CONFIG does not name is read from the registry, then served from the isolate",
          "[registry]") {
  RegistryHost host;
  uint32_t id = host.begin("GET", "/acme/data/k");
  Action a = host.next(id);
  REQUIRE(a.kind == ActionKind::RegistryGet);
  CHECK(a.call.name == "v1/account/acme");
  CHECK(a.call.data == "REGISTRY");  // the KV binding
  CHECK(a.number == 2000);           // the read's timeout
  host.registry_answer(id, true, kAcme);
  a = host.next(id);
  REQUIRE(a.kind == ActionKind::Fetch);
  CHECK(a.fetch.url == "http://127.0.0.1:9000/acme-bucket/d/k");
  // Within the TTL: no registry read.
  a = host.next(host.begin("GET", "/acme/data/k2", 59000), 59000);
  REQUIRE(a.kind == ActionKind::Fetch);
  // Past it: read again (a change or a revocation takes effect within the TTL).
  a = host.next(host.begin("GET", "/acme/data/k3", 61000), 61000);
  CHECK(a.kind == ActionKind::RegistryGet);
  // A static account never touches the registry.
  a = host.next(host.begin("GET", "/static-acct/r/k"));
  CHECK(a.kind == ActionKind::Fetch);
}

TEST_CASE("registry: concurrent cold requests for one account make one registry read", "[registry]") {
  RegistryHost host;
  std::vector<uint32_t> ids;
  for (int i = 0; i < 100; ++i) ids.push_back(host.begin("GET", "/acme/data/k" + std::to_string(i)));
  int reads = 0, waits = 0;
  for (uint32_t id : ids) {
    const Action a = host.next(id);
    reads += a.kind == ActionKind::RegistryGet;
    waits += a.kind == ActionKind::Wait;
  }
  CHECK(reads == 1);
  CHECK(waits == 99);
  host.registry_answer(ids[0], true, kAcme);
  CHECK(host.next(ids[0]).kind == ActionKind::Fetch);
  const std::vector<uint32_t> woken = host.engine.take_wakeups();
  CHECK(woken.size() == 99);
  for (uint32_t id : woken) {
    host.woken(id);
    CHECK(host.next(id).kind == ActionKind::Fetch);  // served from what the leader learnt
  }
}

TEST_CASE("registry: no such account is 404 NoSuchBucket, remembered for the negative TTL only", "[registry]") {
  RegistryHost host;
  uint32_t id = host.begin("GET", "/ghost/r/k");
  REQUIRE(host.next(id).kind == ActionKind::RegistryGet);
  host.registry_answer(id, true, "");  // absent
  Action a = host.next(id);
  CHECK(a.respond.status == 404);
  CHECK(code_of(a) == "NoSuchBucket");
  // A scanner repeating the name within the negative TTL costs no read; after it, one.
  for (int i = 0; i < 10; ++i) CHECK(host.next(host.begin("GET", "/ghost/r/k", 9000), 9000).respond.status == 404);
  CHECK(host.next(host.begin("GET", "/ghost/r/k", 10001), 10001).kind == ActionKind::RegistryGet);
  // A name that cannot be an account is never asked for.
  a = host.next(host.begin("GET", "/UPPER_case/r/k"));
  CHECK(a.kind == ActionKind::Respond);
  CHECK(a.respond.status == 404);
}

TEST_CASE("registry: a scanner of 10,000 unknown accounts costs one read per name per negative TTL", "[registry]") {
  RegistryHost host;
  size_t reads = 0;
  for (int pass = 0; pass < 3; ++pass)  // three sweeps within the negative TTL (10 s)
    for (int i = 0; i < 10000; ++i) {
      const double now = pass * 3000.0 + i * 0.1;
      const uint32_t id = host.begin("GET", "/scan-" + std::to_string(i) + "/r/k", now);
      Action a = host.next(id, now);
      if (a.kind == ActionKind::RegistryGet) {
        ++reads;
        host.registry_answer(id, true, "", now);
        a = host.next(id, now);
      }
      REQUIRE(a.respond.status == 404);
    }
  CHECK(reads == 10000);
}

TEST_CASE("registry: unreadable — the last good entry serves within the stale bound, else 503, nothing cached",
          "[registry]") {
  RegistryHost host;
  // Nothing known: 503 with Retry-After, never NoSuchBucket; the next request tries again.
  uint32_t id = host.begin("GET", "/acme/data/k");
  REQUIRE(host.next(id).kind == ActionKind::RegistryGet);
  host.registry_answer(id, false, "");
  Action a = host.next(id);
  CHECK(a.respond.status == 503);
  CHECK(code_of(a) == "ServiceUnavailable");
  CHECK(find_header(a.respond.headers, "retry-after") != nullptr);
  id = host.begin("GET", "/acme/data/k");
  REQUIRE(host.next(id).kind == ActionKind::RegistryGet);  // the failure was not cached
  host.registry_answer(id, true, kAcme);
  REQUIRE(host.next(id).kind == ActionKind::Fetch);
  // Past the TTL the registry fails: the entry serves (logged), up to TTL + stale bound.
  id = host.begin("GET", "/acme/data/k", 120000);
  REQUIRE(host.next(id, 120000).kind == ActionKind::RegistryGet);
  host.registry_answer(id, false, "", 120000);
  a = host.next(id, 120000);
  REQUIRE(a.kind == ActionKind::Fetch);
  // Garbage is a failed read too: stale serves.
  id = host.begin("GET", "/acme/data/k", 130000);
  REQUIRE(host.next(id, 130000).kind == ActionKind::RegistryGet);
  host.registry_answer(id, true, "{not json", 130000);
  REQUIRE(host.next(id, 130000).kind == ActionKind::Fetch);
  // Beyond the bound: 503.
  const double late = 60000 + 600000 + 1000;
  id = host.begin("GET", "/acme/data/k", late);
  REQUIRE(host.next(id, late).kind == ActionKind::RegistryGet);
  host.registry_answer(id, false, "", late);
  CHECK(host.next(id, late).respond.status == 503);
}

TEST_CASE("registry: a malformed entry fails its own account (the field in the log), never another", "[registry]") {
  RegistryHost host;
  uint32_t id = host.begin("GET", "/broken/data/k");
  REQUIRE(host.next(id).kind == ActionKind::RegistryGet);
  host.registry_answer(id, true, R"({"backends": {}, "repositories": {"data": {"backend": "missing"}}})");
  Action a = host.next(id);
  CHECK(a.respond.status == 503);
  CHECK(a.respond.log_line.find("repositories.data.backend") != std::string::npos);
  CHECK(a.respond.log_line.find("\"fault\":\"config\"") != std::string::npos);
  id = host.begin("GET", "/acme/data/k");
  REQUIRE(host.next(id).kind == ActionKind::RegistryGet);
  host.registry_answer(id, true, kAcme);
  CHECK(host.next(id).kind == ActionKind::Fetch);
}

TEST_CASE("registry: an entry a request resolved stays valid for that request", "[registry]") {
  RegistryHost host;
  uint32_t first = host.begin("GET", "/acme/data/k");
  REQUIRE(host.next(first).kind == ActionKind::RegistryGet);
  host.registry_answer(first, true, kAcme);
  REQUIRE(host.next(first).kind == ActionKind::Fetch);  // holds its entry
  // The registry changes and the isolate learns it (TTL passed): the first request still completes on its own.
  uint32_t second = host.begin("GET", "/acme/data/k", 61000);
  REQUIRE(host.next(second, 61000).kind == ActionKind::RegistryGet);
  host.registry_answer(second, true, "", 61000);  // the account was removed
  CHECK(host.next(second, 61000).respond.status == 404);
  Result ok;
  ok.kind = ActionKind::Fetch;
  ok.fetch.status = 200;
  host.engine.feed(first, std::move(ok), 61000);
  CHECK(host.next(first, 61000).respond.status == 200);
}

TEST_CASE("registry: keys verify with the derived secret; a new generation, disabled or expired key is refused",
          "[registry]") {
  RegistryHost host;
  const std::string nonce = "nonce-of-the-key-0001";
  const std::string secret = derive_key_secret(kRegistryKey, "AKIDREG", 1, nonce);
  CHECK(secret.size() == 43);
  CHECK(secret != derive_key_secret(kRegistryKey, "AKIDREG", 2, nonce));
  CHECK(secret != derive_key_secret(kRegistryKey, "AKIDREG", 1, "nonce-of-a-new-key-0002"));  // re-created: another key
  CHECK(secret != derive_key_secret("another deployment key, 32+ bytes", "AKIDREG", 1, nonce));
  const std::string entry = R"({"scopes": [{"account": "acme", "repository": "closed", "actions": ["read"]}], "generation": 1,
    "nonce": "nonce-of-the-key-0001"})";

  auto run = [&](const std::string& key_entry, const std::string& with_secret, double now_ms) {
    uint32_t id = host.begin_signed("/acme/closed/k", "AKIDREG", with_secret, now_ms);
    Action a = host.next(id, now_ms);
    for (int i = 0; i < 3 && a.kind == ActionKind::RegistryGet; ++i) {
      const bool key = a.call.name == "v1/key/AKIDREG";
      host.registry_answer(id, true, key ? key_entry : kAcme, now_ms);
      a = host.next(id, now_ms);
    }
    return a;
  };
  Action a = run(entry, secret, 0);
  CHECK(a.kind == ActionKind::Fetch);  // verified and authorized: the private repository is read
  a = run(entry, derive_key_secret(kRegistryKey, "AKIDREG", 2, nonce), 0);
  CHECK(code_of(a) == "SignatureDoesNotMatch");
  // New answers take effect after the TTL (61 s, 122 s: each past the last read's TTL).
  a = run(R"({"scopes": [], "generation": 1, "nonce": "nonce-of-the-key-0001", "disabled": true})", secret, 61000);
  CHECK(code_of(a) == "InvalidAccessKeyId");
  a = run(R"({"scopes": [], "generation": 1, "nonce": "nonce-of-the-key-0001", "expires": "1970-01-01T00:01:00Z"})",
          secret, 122000);
  CHECK(code_of(a) == "InvalidAccessKeyId");
  // The registry's entries hold no secret: nothing in an entry is one.
  CHECK(entry.find(secret) == std::string::npos);
}

TEST_CASE("registry: ListBuckets shows listed accounts with public data, and those the caller's key names",
          "[registry]") {
  RegistryHost host;
  uint32_t id = host.begin("GET", "/");
  Action a = host.next(id);
  REQUIRE(a.kind == ActionKind::RegistryGet);
  CHECK(a.call.name == "v1/index/accounts");
  host.registry_answer(id, true, R"({"accounts": {"acme": {"public": true}, "hidden": {"public": false}}})");
  a = host.next(id);
  REQUIRE(a.respond.status == 200);
  const std::string& doc = a.respond.body.bytes;
  CHECK(doc.find("<Name>acme</Name>") != std::string::npos);
  CHECK(doc.find("<Name>static-acct</Name>") != std::string::npos);
  CHECK(doc.find("hidden") == std::string::npos);
}

TEST_CASE("registry settings: validated, naming the field", "[registry][config]") {
  Config cfg;
  std::string error;
  CHECK_FALSE(load_config(registry_config(), {}, cfg, error));
  CHECK(error.find("registry.key_secret") != std::string::npos);
  CHECK_FALSE(load_config(registry_config(), {{"REG_KEY", "short"}}, cfg, error));
  CHECK(error.find("at least 32 bytes") != std::string::npos);
  CHECK_FALSE(load_config(registry_config(R"(, "bogus": 1)"), {{"REG_KEY", kRegistryKey}}, cfg, error));
  CHECK(error.find("registry.bogus") != std::string::npos);
  // With a registry, S3P_CONFIG may hold no namespace at all, or only the backends registry entries name.
  CHECK(load_config(R"({"registry": {"key_secret": "REG_KEY"}})", {{"REG_KEY", kRegistryKey}}, cfg, error));
  CHECK(load_config(R"({"registry": {"key_secret": "REG_KEY"}, "backends": {"b": {"endpoint": "http://h", "bucket": "x"}}})",
                    {{"REG_KEY", kRegistryKey}}, cfg, error));
  Config shared_entry;
  CHECK(load_account_entry("acme", R"({"repositories": {"x": {"backend": "b"}}})", {}, cfg, shared_entry, error));
  CHECK(shared_entry.accounts[0].repositories[0].backend == cfg.backends.at("b").get());
  // Entries are validated by the config's own rules.
  Config entry;
  CHECK_FALSE(load_account_entry("acme", R"({"repositories": {"x": {"backend": "nope"}}})", {}, cfg, entry, error));
  CHECK(error == "accounts.acme.repositories.x.backend: unknown backend \"nope\"");
  CHECK_FALSE(load_account_entry("acme", R"({"repositories": {}, "extra": 1})", {}, cfg, entry, error));
  CHECK(error.find("extra") != std::string::npos);
  KeyEntry key;
  CHECK_FALSE(load_key_entry("AKIDX", R"({"scopes": [], "generation": 0, "nonce": "0123456789abcdef"})", cfg.registry, key, error));
  CHECK_FALSE(load_key_entry("AKIDX", R"({"scopes": [{"account": "a"}], "generation": 1, "nonce": "0123456789abcdef"})",
                             cfg.registry, key, error));
  CHECK(error.find("scopes[0]") != std::string::npos);
  CHECK_FALSE(load_key_entry("AKIDX", R"({"scopes": [], "generation": 1})", cfg.registry, key, error));  // no nonce
  CHECK(error.find("nonce") != std::string::npos);
  CHECK_FALSE(load_key_entry("AKIDX", R"({"scopes": [], "generation": 1, "nonce": "short"})", cfg.registry, key, error));
  CHECK(load_key_entry("AKIDX", R"({"scopes": [{"account": "acme", "actions": ["read"]}], "generation": 3,
                                   "nonce": "0123456789abcdef"})", cfg.registry, key, error));
  CHECK(key.key.scopes[0].repository == "*");
  CHECK(key.key.secret == derive_key_secret(kRegistryKey, "AKIDX", 3, "0123456789abcdef"));
}

TEST_CASE("registry: an entry not sealed by the deployment key is refused, whoever could write the namespace",
          "[registry]") {
  RegistryHost host;
  // Written raw (someone with KV write access and no deployment key): malformed, 503, the account not served.
  uint32_t id = host.begin("GET", "/acme/data/k");
  REQUIRE(host.next(id).kind == ActionKind::RegistryGet);
  host.registry_answer(id, true, kAcme, 0, false);
  Action a = host.next(id);
  CHECK(a.respond.status == 503);
  CHECK(a.respond.log_line.find("not sealed by the deployment key") != std::string::npos);
  // Sealed under another name (an entry copied from one account to another), or under another key: refused.
  id = host.begin("GET", "/other-acct/data/k", 20000);
  REQUIRE(host.next(id, 20000).kind == ActionKind::RegistryGet);
  Result moved;
  moved.kind = ActionKind::RegistryGet;
  moved.flag = true;
  moved.data = seal_entry(kRegistryKey, "v1/account/acme", kAcme);
  host.engine.feed(id, std::move(moved), 20000);
  CHECK(host.next(id, 20000).respond.status == 503);
  id = host.begin("GET", "/third-acct/data/k", 20000);
  REQUIRE(host.next(id, 20000).kind == ActionKind::RegistryGet);
  Result foreign;
  foreign.kind = ActionKind::RegistryGet;
  foreign.flag = true;
  foreign.data = seal_entry("another deployment key, 32+ bytes", "v1/account/third-acct", kAcme);
  host.engine.feed(id, std::move(foreign), 20000);
  CHECK(host.next(id, 20000).respond.status == 503);
  // A seal with one byte of the body changed does not open.
  RegistrySettings s;
  s.key_material = kRegistryKey;
  std::string sealed = seal_entry(kRegistryKey, "v1/account/acme", kAcme);
  std::string_view body;
  CHECK(open_sealed_entry(s, "v1/account/acme", sealed, body));
  CHECK(body == kAcme);
  sealed[sealed.size() - 5] ^= 1;
  CHECK_FALSE(open_sealed_entry(s, "v1/account/acme", sealed, body));
  CHECK_FALSE(open_sealed_entry(s, "v1/account/acme", "v1.\n" + kAcme, body));
  CHECK_FALSE(open_sealed_entry(s, "v1/account/acme", kAcme, body));
}

TEST_CASE("registry cache: bounded LRU; absent answers do not outlive their TTL", "[registry]") {
  NoWake waker;
  registry::Cache cache(waker);
  RegistrySettings s;
  for (size_t i = 0; i < registry::Cache::kNegativeCapacity + 10; ++i) cache.store("n" + std::to_string(i), {}, 0, s);
  CHECK(cache.size() == registry::Cache::kNegativeCapacity);
  CHECK(cache.fresh("n0", 0) == nullptr);  // the oldest went
  CHECK(cache.fresh("n" + std::to_string(registry::Cache::kNegativeCapacity + 9), 0) != nullptr);
  registry::Answer found;
  found.kind = registry::Answer::Kind::Found;
  for (size_t i = 0; i < registry::Cache::kCapacity + 10; ++i) cache.store("f" + std::to_string(i), found, 0, s);
  CHECK(cache.size() == registry::Cache::kNegativeCapacity + registry::Cache::kCapacity);
  CHECK(cache.fresh("f0", 0) == nullptr);
  CHECK(cache.fresh("n20", 10001) == nullptr);  // absent: 10 s
}

TEST_CASE("registry cache: a flood of unknown names never evicts an entry that serves", "[registry]") {
  NoWake waker;
  registry::Cache cache(waker);
  RegistrySettings s;
  registry::Answer found;
  found.kind = registry::Answer::Kind::Found;
  cache.store("v1/account/acme", found, 0, s);
  // A scanner: twice the negative tier's capacity of names nobody has.
  for (size_t i = 0; i < 2 * registry::Cache::kNegativeCapacity; ++i) cache.store("v1/key/AKIDSCAN" + std::to_string(i), {}, 0, s);
  REQUIRE(cache.fresh("v1/account/acme", 1000) != nullptr);
  CHECK(cache.fresh("v1/account/acme", 1000)->kind == registry::Answer::Kind::Found);
  CHECK(cache.stale("v1/account/acme", 61000) != nullptr);  // and still there to fall back to
  // Removed from the registry ("absent"): nothing to fall back to any more; found again: back in the found tier.
  cache.store("v1/account/acme", {}, 2000, s);
  CHECK(cache.stale("v1/account/acme", 2000) == nullptr);
  cache.store("v1/account/acme", found, 3000, s);
  CHECK(cache.stale("v1/account/acme", 64000) != nullptr);
  // A malformed answer keeps the last good one to fall back to.
  registry::Answer bad;
  bad.kind = registry::Answer::Kind::Malformed;
  cache.store("v1/account/acme", bad, 4000, s);
  CHECK(cache.fresh("v1/account/acme", 4000)->kind == registry::Answer::Kind::Malformed);
  CHECK(cache.stale("v1/account/acme", 64000) != nullptr);
}

TEST_CASE("registry: a leader's failed read fails its waiters too (stale or 503), with no read of their own",
          "[registry]") {
  RegistryHost host;
  std::vector<uint32_t> ids;
  for (int i = 0; i < 10; ++i) ids.push_back(host.begin("GET", "/acme/data/k" + std::to_string(i)));
  REQUIRE(host.next(ids[0]).kind == ActionKind::RegistryGet);
  for (size_t i = 1; i < ids.size(); ++i) REQUIRE(host.next(ids[i]).kind == ActionKind::Wait);
  host.registry_answer(ids[0], false, "");
  CHECK(host.next(ids[0]).respond.status == 503);
  const std::vector<uint32_t> woken = host.engine.take_wakeups();
  REQUIRE(woken.size() == 9);
  for (uint32_t id : woken) {
    host.woken(id);
    const Action a = host.next(id);
    REQUIRE(a.kind == ActionKind::Respond);  // not another RegistryGet
    CHECK(a.respond.status == 503);
  }
  // A request that starts afterwards reads again (the failure is not an answer).
  CHECK(host.next(host.begin("GET", "/acme/data/later")).kind == ActionKind::RegistryGet);
}

// ---- the HTTP registry API source and its colo tier ----

namespace {

const std::string kApi = R"(, "api_url": "http://127.0.0.1:7777/reg/", "api_token_secret": "API_TOKEN")";

RegistrySettings deployment_settings() {
  RegistrySettings s;
  s.key_material = kRegistryKey;
  return s;
}

// What the colo tier holds for `name`: the registry's answer at `fetched_at_ms`, sealed as the registry gives it.
Result colo_hit(const std::string& name, const std::string& text, double fetched_at_ms) {
  Result r;
  r.kind = ActionKind::CacheMatch;
  r.flag = true;
  r.data = registry::colo_value(deployment_settings(), name, fetched_at_ms,
                                text.empty() ? text : seal_entry(kRegistryKey, name, text));
  return r;
}

Result colo_miss() {
  Result r;
  r.kind = ActionKind::CacheMatch;
  return r;
}

// Runs a request to its Respond (answering nothing else) and returns the colo writes it left to the background.
std::vector<Action> background_puts(RegistryHost& host, const Action& respond) {
  std::vector<Action> out;
  for (uint32_t task : respond.respond.background) {
    Action a = host.engine.next(task, 0);
    if (a.kind == ActionKind::CachePut) out.push_back(std::move(a));
  }
  return out;
}

}  // namespace

TEST_CASE("registry settings: the API source's fields, named in their errors", "[registry]") {
  auto error_of = [](const std::string& registry) {
    Engine e;
    e.init(R"({"registry": {"key_secret": "REG_KEY")" + registry + "}}",
           {{"REG_KEY", kRegistryKey}, {"API_TOKEN", "t"}}, enginetest::kSeed);
    return e.config_error();
  };
  CHECK(error_of(kApi).empty());
  CHECK_THAT(error_of(kApi + R"(, "kv_binding": "REGISTRY")"), Catch::Contains("registry.api_url"));
  CHECK_THAT(error_of(R"(, "api_url": "http://127.0.0.1:7777/reg", "api_token_secret": "API_TOKEN")"),
             Catch::Contains("registry.api_url"));  // no trailing "/"
  for (const char* bad : {"ftp://h/", "http:///", "http://u:p@h/", "http://h/?q=1/", "http://h/a b/", "h/"})
    CHECK_THAT(error_of(std::string(R"(, "api_url": ")") + bad + R"(", "api_token_secret": "API_TOKEN")"),
               Catch::Contains("registry.api_url"));
  CHECK_THAT(error_of(R"(, "api_url": "https://h/r/")"), Catch::Contains("registry.api_token_secret"));
  CHECK_THAT(error_of(R"(, "api_url": "https://h/r/", "api_token_secret": "NOPE")"),
             Catch::Contains("registry.api_token_secret"));
  CHECK_THAT(error_of(R"(, "api_token_secret": "API_TOKEN")"), Catch::Contains("registry.api_token_secret"));
  CHECK_THAT(error_of(R"(, "listing_ttl_s": 0)"), Catch::Contains("registry.listing_ttl_s"));
}

TEST_CASE("registry API: the colo tier first, then the API with the host's token; the answer written back",
          "[registry]") {
  RegistryHost host(registry_config(kApi));
  uint32_t id = host.begin("GET", "/acme/nope/k");
  Action a = host.next(id);
  REQUIRE(a.kind == ActionKind::CacheMatch);
  const std::string colo = a.call.name;
  CHECK(colo == registry::colo_url(host.engine.config().registry, "v1/account/acme"));
  CHECK(colo.rfind("https://registry.s3-edge-proxy.invalid/", 0) == 0);  // not routable: never a real fetch
  CHECK(colo.find("acme") == std::string::npos);                       // names the entry only by hash
  host.engine.feed(id, colo_miss(), 0);
  a = host.next(id);
  REQUIRE(a.kind == ActionKind::RegistryGet);
  CHECK(a.call.data == "http://127.0.0.1:7777/reg/v1/account/acme");
  CHECK(a.call.aad == "API_TOKEN");  // the secret's name: the host adds the token
  host.registry_answer(id, true, kAcme, 5000);
  a = host.next(id, 5000);
  REQUIRE(a.kind == ActionKind::Respond);
  CHECK(a.respond.status == 403);  // no such repository, the account exists
  const std::vector<Action> puts = background_puts(host, a);
  REQUIRE(puts.size() == 1);
  CHECK(puts[0].call.name == colo);
  CHECK(*find_header(puts[0].call.headers, "cache-control") == "max-age=660");  // TTL + stale bound
  double at = 0;
  std::string_view text;
  REQUIRE(registry::open_colo_value(host.engine.config().registry, "v1/account/acme", puts[0].call.data, at, text));
  CHECK_FALSE(registry::open_colo_value(host.engine.config().registry, "v1/account/other", puts[0].call.data, at, text));
  CHECK(at == 5000);
  CHECK(text == seal_entry(kRegistryKey, "v1/account/acme", kAcme));  // as the API gave it: sealed

  // "No such account" goes to the colo too, for the negative TTL only.
  id = host.begin("GET", "/ghost/r/k");
  REQUIRE(host.next(id).kind == ActionKind::CacheMatch);
  host.engine.feed(id, colo_miss(), 0);
  REQUIRE(host.next(id).kind == ActionKind::RegistryGet);
  host.registry_answer(id, true, "");
  a = host.next(id);
  REQUIRE(a.kind == ActionKind::Respond);
  const std::vector<Action> negative = background_puts(host, a);
  REQUIRE(negative.size() == 1);
  CHECK(*find_header(negative[0].call.headers, "cache-control") == "max-age=10");
}

TEST_CASE("registry API: a colo entry serves with its TTL counted from when the registry answered", "[registry]") {
  RegistryHost host(registry_config(kApi));
  // Written by another isolate 50 s ago: fresh for 10 s more, with no API read.
  uint32_t id = host.begin("GET", "/acme/data/k", 100000);
  REQUIRE(host.next(id, 100000).kind == ActionKind::CacheMatch);
  host.engine.feed(id, colo_hit("v1/account/acme", kAcme, 50000), 100000);
  Action a = host.next(id, 100000);
  REQUIRE(a.kind == ActionKind::Fetch);
  CHECK(a.fetch.url == "http://127.0.0.1:9000/acme-bucket/d/k");
  CHECK(host.next(host.begin("GET", "/acme/data/k", 109000), 109000).kind == ActionKind::Fetch);  // the isolate's copy
  // 61 s after the registry answered: looked up again (a revocation takes effect within the TTL, not twice it).
  CHECK(host.next(host.begin("GET", "/acme/data/k", 111000), 111000).kind == ActionKind::CacheMatch);
}

TEST_CASE("registry API: an old colo entry is only a fallback; an entry that does not verify is a miss", "[registry]") {
  RegistryHost host(registry_config(kApi));
  // 100 s old (past its TTL, within the stale bound): the API is asked; it fails: the colo's copy serves, stale.
  uint32_t id = host.begin("GET", "/acme/data/k", 100000);
  REQUIRE(host.next(id, 100000).kind == ActionKind::CacheMatch);
  host.engine.feed(id, colo_hit("v1/account/acme", kAcme, 0), 100000);
  REQUIRE(host.next(id, 100000).kind == ActionKind::RegistryGet);
  host.registry_answer(id, false, "", 100000);
  Action a = host.next(id, 100000);
  CHECK(a.kind == ActionKind::Fetch);

  // Past the stale bound too: nothing to serve, 503.
  RegistryHost late(registry_config(kApi));
  id = late.begin("GET", "/acme/data/k", 700000);
  REQUIRE(late.next(id, 700000).kind == ActionKind::CacheMatch);
  late.engine.feed(id, colo_hit("v1/account/acme", kAcme, 0), 700000);
  REQUIRE(late.next(id, 700000).kind == ActionKind::RegistryGet);
  late.registry_answer(id, false, "", 700000);
  a = late.next(id, 700000);
  REQUIRE(a.kind == ActionKind::Respond);
  CHECK(a.respond.status == 503);

  // Not sealed for the colo by this deployment (another's key, another entry's name: a planted or moved value), the
  // entry inside sealed by another key, or not a colo value at all: as if absent.
  RegistrySettings other = deployment_settings();
  other.key_material = "another deployment's key, 32+ bytes";
  const std::string sealed = seal_entry(kRegistryKey, "v1/account/acme", kAcme);
  for (const std::string& bad : {registry::colo_value(other, "v1/account/acme", 0, sealed),
                                 registry::colo_value(deployment_settings(), "v1/account/other", 0, sealed),
                                 registry::colo_value(deployment_settings(), "v1/account/acme", 0,
                                                      seal_entry(other.key_material, "v1/account/acme", kAcme)),
                                 registry::colo_value(deployment_settings(), "v1/account/acme", 0, kAcme),
                                 std::string("garbage"), std::string("0\n"), sealed}) {
    RegistryHost h(registry_config(kApi));
    id = h.begin("GET", "/acme/data/k", 1000);
    REQUIRE(h.next(id, 1000).kind == ActionKind::CacheMatch);
    Result r;
    r.kind = ActionKind::CacheMatch;
    r.flag = true;
    r.data = bad;
    h.engine.feed(id, std::move(r), 1000);
    CHECK(h.next(id, 1000).kind == ActionKind::RegistryGet);
  }
}

TEST_CASE("registry: the account list has a TTL of its own (listing_ttl_s)", "[registry]") {
  RegistryHost host(registry_config(R"(, "listing_ttl_s": 5)"));
  uint32_t id = host.begin("GET", "/");
  REQUIRE(host.next(id).kind == ActionKind::RegistryGet);
  CHECK(host.asked_[id] == "v1/index/accounts");
  host.registry_answer(id, true, R"({"accounts": {"acme": {"public": true}}})");
  CHECK(host.next(id).kind == ActionKind::Respond);
  CHECK(host.next(host.begin("GET", "/", 4000), 4000).kind != ActionKind::RegistryGet);
  CHECK(host.next(host.begin("GET", "/", 6000), 6000).kind == ActionKind::RegistryGet);
}

// ---- ListBuckets over a paged account index ----

namespace {

const std::string kPagedHead = R"({"pages": [{"entry": "v1/index/accounts/p1", "first": ""},
                                             {"entry": "v1/index/accounts/p2", "first": "m-org"}]})";
const std::string kPage1 = R"({"accounts": {"a-org": {"public": true}, "b-org": {"public": true}, "hidden-org": {"public": false}}})";
const std::string kPage2 = R"({"accounts": {"m-org": {"public": true}, "z-org": {"public": true}}})";

std::vector<std::string> bucket_names(const Action& a) {
  std::vector<std::string> out;
  const std::string& body = a.respond.body.bytes;
  for (size_t at = body.find("<Name>"); at != std::string::npos; at = body.find("<Name>", at + 1))
    out.push_back(body.substr(at + 6, body.find("</Name>", at) - at - 6));
  return out;
}

// Runs ListBuckets with `query`, answering the registry reads it makes from `entries`; returns its Respond.
Action list_buckets(RegistryHost& host, const std::string& query, const std::map<std::string, std::string>& entries,
                    std::vector<std::string>* read = nullptr) {
  const uint32_t id = host.begin("GET", "/", 0, {{"host", "p"}}, query);
  for (;;) {
    Action a = host.next(id);
    if (a.kind != ActionKind::RegistryGet) return a;
    if (read) read->push_back(a.call.name);
    auto e = entries.find(a.call.name);
    host.registry_answer(id, true, e == entries.end() ? "" : e->second);
  }
}

}  // namespace

TEST_CASE("ListBuckets over a paged index: one page per response, the token starts the next", "[registry]") {
  RegistryHost host;
  const std::map<std::string, std::string> entries{
      {"v1/index/accounts", kPagedHead}, {"v1/index/accounts/p1", kPage1}, {"v1/index/accounts/p2", kPage2}};
  std::vector<std::string> read;
  Action a = list_buckets(host, "", entries, &read);
  REQUIRE(a.kind == ActionKind::Respond);
  CHECK(a.respond.status == 200);
  CHECK(read == std::vector<std::string>{"v1/index/accounts", "v1/index/accounts/p1"});  // never page 2
  // Page 1's visible names, with the static account that falls in its range; the next page's token.
  CHECK(bucket_names(a) == std::vector<std::string>{"a-org", "b-org"});
  const std::string token = enginetest::element(a.respond.body.bytes, "ContinuationToken");
  REQUIRE(token == list_buckets_token("m-org"));
  read.clear();
  a = list_buckets(host, "continuation-token=" + token, entries, &read);
  CHECK(read == std::vector<std::string>{"v1/index/accounts/p2"});  // the head from the isolate's cache
  // Page 2's, with the static account that falls in its range (each name shows on exactly one page).
  CHECK(bucket_names(a) == std::vector<std::string>{"m-org", "static-acct", "z-org"});
  CHECK(a.respond.body.bytes.find("ContinuationToken") == std::string::npos);  // the last page
  // max-buckets cuts within a page; the token resumes at the first name left out.
  a = list_buckets(host, "max-buckets=1", entries);
  CHECK(bucket_names(a) == std::vector<std::string>{"a-org"});
  a = list_buckets(host, "max-buckets=1&continuation-token=" + enginetest::element(a.respond.body.bytes, "ContinuationToken"), entries);
  CHECK(bucket_names(a) == std::vector<std::string>{"b-org"});
  // prefix filters and is echoed.
  a = list_buckets(host, "prefix=b", entries);
  CHECK(bucket_names(a) == std::vector<std::string>{"b-org"});
  CHECK(enginetest::element(a.respond.body.bytes, "Prefix") == "b");
}

TEST_CASE("ListBuckets: bad max-buckets, foreign tokens and a malformed paged index are refused", "[registry]") {
  RegistryHost host;
  const std::map<std::string, std::string> entries{
      {"v1/index/accounts", kPagedHead}, {"v1/index/accounts/p1", kPage1}, {"v1/index/accounts/p2", kPage2}};
  for (const char* bad : {"max-buckets=0", "max-buckets=10001", "max-buckets=x", "max-buckets=", "max-buckets=1x"}) {
    const Action a = list_buckets(host, bad, entries);
    CHECK(a.respond.status == 400);
    CHECK(code_of(a) == "InvalidArgument");
  }
  const Action foreign = list_buckets(host, "continuation-token=" + b64::encode_url("m-org"), entries);
  CHECK(foreign.respond.status == 400);
  // Pages out of order, a page name outside the layout, no first page from "": the listing fails (503), alone.
  for (const std::string& head : {std::string(R"({"pages": [{"entry": "v1/index/accounts/p1", "first": "m"}]})"),
                                  std::string(R"({"pages": [{"entry": "v1/index/accounts/p1", "first": ""},
                                                             {"entry": "v1/index/accounts/p2", "first": ""}]})"),
                                  std::string(R"({"pages": [{"entry": "v1/account/acme", "first": ""}]})"),
                                  std::string(R"({"pages": []})")}) {
    RegistryHost fresh;
    const Action a = list_buckets(fresh, "", {{"v1/index/accounts", head}});
    CHECK(a.respond.status == 503);
  }
}

TEST_CASE("ListBuckets: max-buckets and tokens over a static config too", "[registry]") {
  Engine e;
  e.init(R"({"accounts": {"acc1": {"repositories": {"r": {"backend": "b", "public": true}}},
                          "acc2": {"repositories": {"r": {"backend": "b", "public": true}}},
                          "acc3": {"repositories": {"r": {"backend": "b", "public": true}}}},
             "backends": {"b": {"endpoint": "http://127.0.0.1:9000", "bucket": "x"}}})", {}, enginetest::kSeed);
  INFO(e.config_error());
  REQUIRE(e.configured());
  auto list = [&](const std::string& query) {
    RequestHead h;
    h.method = "GET";
    h.path = "/";
    h.query = query;
    h.headers = {{"host", "p"}};
    return e.next(e.begin(std::move(h), 0), 0);
  };
  Action a = list("max-buckets=2");
  CHECK(bucket_names(a) == std::vector<std::string>{"acc1", "acc2"});
  a = list("max-buckets=2&continuation-token=" + enginetest::element(a.respond.body.bytes, "ContinuationToken"));
  CHECK(bucket_names(a) == std::vector<std::string>{"acc3"});
  CHECK(a.respond.body.bytes.find("ContinuationToken") == std::string::npos);
}
