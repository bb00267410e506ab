// L1 rules with fake time: first on L1Cache directly, then through the Engine's public API (the way the wasm host
// drives it): single flight for a cold key, refresh-ahead, the < 5 s rule, failures not cached, stale claims
// dropped, waiters bounded by the claim, L2 hits and misses, and the background L2 write.
#include <catch2/catch.hpp>

#include <map>

#include "federation_fixture.h"
#include "worker/core/engine.h"
#include "worker/rules/iso8601.h"
#include "worker/creds/l1_cache.h"
#include "worker/creds/l2_entry.h"
#include "worker/rules/session_name.h"

using namespace s3p;
using V = L1Cache::Verdict;

namespace {

constexpr double kTtl = 11000;  // claim lifetime used in the L1Cache tests
const std::string kKey = "arn:aws:iam::123456789012:role/x\nsession";

sigv4::Credentials creds(const char* id) { return {id, "secret", std::string("token-") + id}; }

double at(const char* iso) {
  int64_t ms = 0;
  REQUIRE(parse_iso8601_ms(iso, ms));
  return static_cast<double>(ms);
}

}  // namespace

TEST_CASE("L1: a cold key has one leader; the others wait for its flight", "[federation][l1]") {
  L1Cache l1;
  auto lead = l1.decide(kKey, 1000, kTtl);
  REQUIRE(lead.verdict == V::Lead);
  for (uint32_t id = 2; id <= 50; ++id) {
    auto d = l1.decide(kKey, 1000 + id, kTtl);
    REQUIRE(d.verdict == V::Wait);
    CHECK(d.flight == lead.flight);
    CHECK(d.wait_until_ms == 1000 + kTtl);
    l1.add_waiter(kKey, id);
  }
  CHECK(l1.waiters(kKey) == 49);
  auto woken = l1.succeed(kKey, lead.flight, creds("A"), 1000 + 3600 * 1000);
  CHECK(woken.size() == 49);
  CHECK(l1.waiters(kKey) == 0);
  CHECK_FALSE(l1.in_flight(kKey));
  auto after = l1.after_wait(kKey, lead.flight, 2000);
  REQUIRE(after.kind == L1Cache::AfterWait::Kind::Creds);
  CHECK(after.creds.access_key_id == "A");
  auto d = l1.decide(kKey, 2000, kTtl);
  CHECK(d.verdict == V::Serve);
  CHECK(d.creds.session_token == "token-A");
}

TEST_CASE("L1: serve until Expiration - 60 s, then one background renewal", "[federation][l1]") {
  L1Cache l1;
  const double exp = 10'000'000;
  auto lead = l1.decide(kKey, 0, kTtl);
  l1.succeed(kKey, lead.flight, creds("A"), static_cast<int64_t>(exp));
  CHECK(l1.decide(kKey, exp - 60'001, kTtl).verdict == V::Serve);
  auto renew = l1.decide(kKey, exp - 60'000, kTtl);
  REQUIRE(renew.verdict == V::ServeAndRenew);
  CHECK(renew.creds.access_key_id == "A");
  // Meanwhile everyone else is served the current credentials, and nobody else renews.
  for (int i = 0; i < 10; ++i) {
    auto d = l1.decide(kKey, exp - 55'000 + i, kTtl);  // within the claim lifetime
    CHECK(d.verdict == V::Serve);
    CHECK(d.creds.access_key_id == "A");
  }
  l1.succeed(kKey, renew.flight, creds("B"), static_cast<int64_t>(exp + 3600'000));
  auto d = l1.decide(kKey, exp - 20'000, kTtl);
  CHECK(d.verdict == V::Serve);
  CHECK(d.creds.access_key_id == "B");
}

TEST_CASE("L1: never serve credentials with less than 5 s left", "[federation][l1]") {
  L1Cache l1;
  const double exp = 10'000'000;
  auto lead = l1.decide(kKey, 0, kTtl);
  l1.succeed(kKey, lead.flight, creds("A"), static_cast<int64_t>(exp));
  CHECK(l1.decide(kKey, exp - 5'000, kTtl).verdict == V::ServeAndRenew);  // 5 s left: still served
  // The renewal is in flight; with 4.999 s left requests wait for it instead of getting A.
  auto w = l1.decide(kKey, exp - 4'999, kTtl);
  CHECK(w.verdict == V::Wait);
  // Without a renewal in flight, a request leads a fresh exchange.
  L1Cache l1b;
  auto lead_b = l1b.decide(kKey, 0, kTtl);
  l1b.succeed(kKey, lead_b.flight, creds("A"), static_cast<int64_t>(exp));
  CHECK(l1b.decide(kKey, exp - 4'000, kTtl).verdict == V::Lead);
  CHECK(l1b.decide(kKey, exp + 1, kTtl).verdict == V::Wait);
  // A waiter that wakes to < 5 s credentials does not get them.
  CHECK(l1b.after_wait(kKey, lead_b.flight, exp - 4'000).kind == L1Cache::AfterWait::Kind::Nothing);
}

TEST_CASE("L1: a failed exchange answers its waiters and is not cached", "[federation][l1]") {
  L1Cache l1;
  auto lead = l1.decide(kKey, 0, kTtl);
  auto wait = l1.decide(kKey, 1, kTtl);
  l1.add_waiter(kKey, 7);
  auto woken = l1.fail(kKey, lead.flight, {&errors::AccessDenied, "sts said no"}, 2);
  CHECK(woken == std::vector<uint32_t>{7});
  auto after = l1.after_wait(kKey, wait.flight, 2);
  REQUIRE(after.kind == L1Cache::AfterWait::Kind::Failed);
  CHECK(after.failure.error->code == "AccessDenied");
  // The next request retries.
  auto next = l1.decide(kKey, 3, kTtl);
  CHECK(next.verdict == V::Lead);
  CHECK(next.flight != lead.flight);
  // A failed renewal keeps the current credentials.
  l1.succeed(kKey, next.flight, creds("A"), 100'000);
  auto renew = l1.decide(kKey, 50'000, kTtl);
  REQUIRE(renew.verdict == V::ServeAndRenew);
  l1.fail(kKey, renew.flight, {}, 50'000);
  auto d = l1.decide(kKey, 50'001, kTtl);
  CHECK(d.verdict == V::Serve);  // backing off: the current credentials are served without a renewal
  CHECK(d.creds.access_key_id == "A");
  d = l1.decide(kKey, 51'000, kTtl);
  CHECK(d.verdict == V::ServeAndRenew);  // after 1 s, the next request in the window claims the renewal again
}

TEST_CASE("L1: failed renewals back off exponentially from 1 s (capped at 60 s), per key, reset by a success",
          "[federation][l1][backoff]") {
  L1Cache l1;
  const std::string other = "other-role\nsession";
  for (const std::string& k : {kKey, other}) {
    auto lead = l1.decide(k, 0, kTtl);
    l1.succeed(k, lead.flight, creds("A"), 1'000'000);
  }
  double now = 945'000;  // inside the refresh window (55 s left): room for 1 + 2 + 4 + 8 + 16 s of back-off
  double expected = 1'000;
  for (int i = 0; i < 5; ++i) {
    INFO("failure " << i + 1);
    auto renew = l1.decide(kKey, now, kTtl);
    REQUIRE(renew.verdict == V::ServeAndRenew);
    l1.fail(kKey, renew.flight, {}, now);
    CHECK(l1.decide(kKey, now + expected - 1, kTtl).verdict == V::Serve);
    now += expected;
    expected *= 2;
  }
  // Another key is not held back by this one's failures.
  CHECK(l1.decide(other, now - 1, kTtl).verdict == V::ServeAndRenew);
  // A success resets the back-off.
  auto renew = l1.decide(kKey, now, kTtl);
  REQUIRE(renew.verdict == V::ServeAndRenew);
  l1.succeed(kKey, renew.flight, creds("B"), 2'000'000);
  auto r2 = l1.decide(kKey, 1'950'000, kTtl);
  REQUIRE(r2.verdict == V::ServeAndRenew);
  l1.fail(kKey, r2.flight, {}, 1'950'000);
  CHECK(l1.decide(kKey, 1'951'000, kTtl).verdict == V::ServeAndRenew);  // 1 s again, not the doubled value
}

TEST_CASE("L1: a stale claim is dropped after the claim lifetime", "[federation][l1]") {
  L1Cache l1;
  auto lead = l1.decide(kKey, 1000, kTtl);
  CHECK(l1.decide(kKey, 1000 + kTtl - 1, kTtl).verdict == V::Wait);
  auto second = l1.decide(kKey, 1000 + kTtl, kTtl);  // the first leader died: a new one takes over
  REQUIRE(second.verdict == V::Lead);
  // The dead flight's late failure changes nothing; its late success still fills the cache.
  CHECK(l1.fail(kKey, lead.flight, {}, 0).empty());
  CHECK(l1.in_flight(kKey));
  l1.succeed(kKey, lead.flight, creds("late"), 10'000'000);
  CHECK(l1.decide(kKey, 20'000, kTtl).creds.access_key_id == "late");

  // Same for a renewal claim whose task died.
  L1Cache r;
  auto l = r.decide(kKey, 0, kTtl);
  r.succeed(kKey, l.flight, creds("A"), 100'000);
  auto renew = r.decide(kKey, 50'000, kTtl);
  REQUIRE(renew.verdict == V::ServeAndRenew);
  CHECK(r.decide(kKey, 50'000 + kTtl - 1, kTtl).verdict == V::Serve);
  CHECK(r.decide(kKey, 50'000 + kTtl, kTtl).verdict == V::ServeAndRenew);
  // An abandoned flight wakes its waiters with nothing, so they decide again.
  L1Cache a;
  auto al = a.decide(kKey, 0, kTtl);
  a.decide(kKey, 1, kTtl);
  a.add_waiter(kKey, 9);
  CHECK(a.abandon(kKey, al.flight) == std::vector<uint32_t>{9});
  CHECK(a.after_wait(kKey, al.flight, 2).kind == L1Cache::AfterWait::Kind::Nothing);
  CHECK(a.decide(kKey, 2, kTtl).verdict == V::Lead);
}

// ---- through the Engine -----------------------------------------------------------------------------------

namespace {

std::string sts_body(const std::string& id, const char* expiration) {
  return "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>" + id +
         "</AccessKeyId><SecretAccessKey>s-" + id + "</SecretAccessKey><SessionToken>tok-" + id +
         "</SessionToken><Expiration>" + expiration +
         "</Expiration></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>";
}

struct Host {
  Engine engine;
  int sts_fetches = 0;
  explicit Host(const std::string& cfg = fedtest::config(R"(, "sts_timeout_ms": 2000)")) {
    engine.init(cfg, fedtest::env(), "federation L1 test seed");
    REQUIRE(engine.configured());
  }
  uint32_t begin(double now) {
    RequestHead h;
    h.method = "GET";
    h.path = "/acme/data/k";
    h.random = 42;
    return engine.begin(std::move(h), now);
  }
  Action next(uint32_t id, double now) {
    Action a = engine.next(id, now);
    if (a.kind == ActionKind::Fetch && a.fetch.method == "POST") ++sts_fetches;
    return a;
  }
  void host_result(uint32_t id, ActionKind kind, bool ok, std::string data, double now) {
    Result r;
    r.kind = kind;
    r.flag = ok;
    r.data = std::move(data);
    engine.feed(id, std::move(r), now);
  }
  void fetch_result(uint32_t id, uint32_t status, std::string body, double now,
                    FetchOutcome outcome = FetchOutcome::Ok) {
    Result r;
    r.kind = ActionKind::Fetch;
    r.fetch.outcome = outcome;
    r.fetch.status = status;
    r.fetch.body = std::move(body);
    engine.feed(id, std::move(r), now);
  }
  void woken(uint32_t id, bool flag, double now) {
    Result r;
    r.kind = ActionKind::Wait;
    r.flag = flag;
    engine.feed(id, std::move(r), now);
  }
  // Drives a leader from its first action (CacheMatch) to the STS fetch; returns that fetch.
  Action to_sts(uint32_t id, Action a, double now, std::string cached = "") {
    REQUIRE(a.kind == ActionKind::CacheMatch);
    host_result(id, ActionKind::CacheMatch, !cached.empty(), cached, now);
    a = next(id, now);
    if (a.kind == ActionKind::Open) {
      host_result(id, ActionKind::Open, false, "", now);  // undecryptable
      a = next(id, now);
    }
    REQUIRE(a.kind == ActionKind::Random);
    CHECK(a.number == 16);
    host_result(id, ActionKind::Random, true, std::string(16, '\x5a'), now);
    a = next(id, now);
    REQUIRE(a.kind == ActionKind::SignRs256);
    CHECK(a.call.name == "OIDC_KEY");
    host_result(id, ActionKind::SignRs256, true, std::string(256, '\x01'), now);
    a = next(id, now);
    REQUIRE(a.kind == ActionKind::Fetch);
    REQUIRE(a.fetch.method == "POST");
    return a;
  }
  // Runs a spawned task to completion, answering host primitives with `ok`. Returns the kinds it asked for.
  std::vector<Action> run_spawned(uint32_t id, double now, const std::string& sts_answer = "") {
    std::vector<Action> seen;
    for (int i = 0; i < 20; ++i) {
      Action a = next(id, now);
      if (a.kind == ActionKind::Done) break;
      seen.push_back(a);
      if (a.kind == ActionKind::Fetch) fetch_result(id, 200, sts_answer, now);
      else if (a.kind == ActionKind::Spawn) run_spawned(a.number, now);
      else if (a.kind == ActionKind::Seal) host_result(id, a.kind, true, "SEALED:" + a.call.data, now);
      else if (a.kind == ActionKind::Random) host_result(id, a.kind, true, std::string(a.number, 'r'), now);
      else if (a.kind == ActionKind::CacheMatch) host_result(id, a.kind, false, "", now);
      else host_result(id, a.kind, true, std::string(8, 's'), now);
    }
    engine.release(id);
    return seen;
  }
  // Answers a backend fetch with 200 and returns the log line.
  std::string finish(uint32_t id, const Action& backend_fetch, double now) {
    REQUIRE(backend_fetch.kind == ActionKind::Fetch);
    REQUIRE(backend_fetch.fetch.method == "GET");
    fetch_result(id, 200, "", now);
    Action r = next(id, now);
    REQUIRE(r.kind == ActionKind::Respond);
    engine.release(id);
    return r.respond.log_line;
  }
};

std::string token_of(const Action& a) {
  const std::string* t = find_header(a.fetch.headers, "x-amz-security-token");
  return t ? *t : "";
}

}  // namespace

TEST_CASE("Engine: 50 concurrent cold requests make one STS exchange", "[federation][engine]") {
  Host h;
  const double now = at("2026-11-26T12:00:00Z");
  std::vector<uint32_t> ids;
  for (int i = 0; i < 50; ++i) ids.push_back(h.begin(now));
  Action lead = h.next(ids[0], now);
  for (size_t i = 1; i < ids.size(); ++i) {
    Action a = h.next(ids[i], now);
    REQUIRE(a.kind == ActionKind::Wait);
    CHECK(a.number == 3000);  // bounded by the claim: sts_timeout_ms + 1 s grace
  }
  Action sts = h.to_sts(ids[0], lead, now);
  CHECK_THAT(sts.fetch.body.bytes, Catch::Contains("RoleSessionName=repo-acme-data"));
  CHECK(sts.fetch.timeout_ms == 2000);
  h.fetch_result(ids[0], 200, sts_body("AKID1", "2026-11-26T13:00:00Z"), now + 50);
  std::vector<uint32_t> woken = h.engine.take_wakeups();
  CHECK(woken.size() == 49);  // woken in the same host turn as the STS result

  Action a = h.next(ids[0], now + 50);
  REQUIRE(a.kind == ActionKind::Spawn);  // the L2 write, in the background
  auto writer = h.run_spawned(a.number, now + 50);
  REQUIRE(writer.size() == 2);
  CHECK(writer[0].kind == ActionKind::Seal);
  // Sealed to the cache key and the subject (a subject sanitizing to the same session name is another binding).
  CHECK(writer[0].call.aad ==
        l2::seal_binding(l2::cache_key("arn:aws:iam::123456789012:role/data/reader", "repo-acme-data"), "repo:acme/data"));
  CHECK(writer[1].kind == ActionKind::CachePut);
  CHECK(*find_header(writer[1].call.headers, "cache-control") == "max-age=3299");  // 3600 - 0.05 - 300, floored
  CHECK(writer[1].call.data.rfind("SEALED:s3p-l2/1\n", 0) == 0);

  a = h.next(ids[0], now + 50);
  CHECK(token_of(a) == "tok-AKID1");
  CHECK_THAT(h.finish(ids[0], a, now + 60), Catch::Contains("\"creds\":\"STS\""));
  for (size_t i = 1; i < ids.size(); ++i) {
    h.woken(ids[i], true, now + 60);
    Action b = h.next(ids[i], now + 60);
    CHECK(token_of(b) == "tok-AKID1");
    CHECK_THAT(h.finish(ids[i], b, now + 70), Catch::Contains("\"creds\":\"L1\""));
  }
  CHECK(h.sts_fetches == 1);
  CHECK(h.engine.in_flight() == 0);
}

TEST_CASE("Engine: refresh-ahead serves current credentials and renews once in the background", "[federation][engine]") {
  Host h;
  const double t0 = at("2026-11-26T12:00:00Z");
  const double exp = at("2026-11-26T13:00:00Z");
  uint32_t id = h.begin(t0);
  Action sts = h.to_sts(id, h.next(id, t0), t0);
  h.fetch_result(id, 200, sts_body("OLD", "2026-11-26T13:00:00Z"), t0);
  Action a = h.next(id, t0);
  h.run_spawned(a.number, t0);
  h.finish(id, h.next(id, t0), t0);

  // 61 s before expiry: plain L1.
  id = h.begin(exp - 61'000);
  a = h.next(id, exp - 61'000);
  CHECK(token_of(a) == "tok-OLD");
  CHECK_THAT(h.finish(id, a, exp - 61'000), Catch::Contains("\"creds\":\"L1\""));

  // 59 s before: served at once with the old credentials, and a renewal is spawned.
  const double t1 = exp - 59'000;
  id = h.begin(t1);
  a = h.next(id, t1);
  REQUIRE(a.kind == ActionKind::Spawn);
  const uint32_t renewal = a.number;
  a = h.next(id, t1);
  CHECK(token_of(a) == "tok-OLD");
  CHECK_THAT(h.finish(id, a, t1), Catch::Contains("\"creds\":\"L1+refresh\""));
  // Others in the window are not held up and do not renew again.
  uint32_t other = h.begin(t1 + 10);
  a = h.next(other, t1 + 10);
  CHECK(token_of(a) == "tok-OLD");
  CHECK_THAT(h.finish(other, a, t1 + 10), Catch::Contains("\"creds\":\"L1\""));

  // The renewal runs (L2 miss → STS) and rotates L1.
  auto seen = h.run_spawned(renewal, t1 + 100, sts_body("NEW", "2026-11-26T14:00:00Z"));
  CHECK(h.sts_fetches == 2);
  CHECK(seen.back().kind == ActionKind::Spawn);  // it writes L2 too
  id = h.begin(t1 + 200);
  a = h.next(id, t1 + 200);
  CHECK(token_of(a) == "tok-NEW");
  h.finish(id, a, t1 + 200);
  CHECK(h.engine.in_flight() == 0);
}

TEST_CASE("Engine: a renewal task that dies is abandoned; a stale claim is dropped", "[federation][engine]") {
  Host h;
  const double t0 = at("2026-11-26T12:00:00Z");
  const double exp = at("2026-11-26T13:00:00Z");
  uint32_t id = h.begin(t0);
  h.to_sts(id, h.next(id, t0), t0);
  h.fetch_result(id, 200, sts_body("OLD", "2026-11-26T13:00:00Z"), t0);
  h.run_spawned(h.next(id, t0).number, t0);
  h.finish(id, h.next(id, t0), t0);

  const double t1 = exp - 50'000;
  id = h.begin(t1);
  Action a = h.next(id, t1);
  REQUIRE(a.kind == ActionKind::Spawn);
  const uint32_t renewal = a.number;
  h.finish(id, h.next(id, t1), t1);
  // The renewal task starts (CacheMatch) and then hangs: within the claim lifetime nobody renews again ...
  CHECK(h.next(renewal, t1).kind == ActionKind::CacheMatch);
  id = h.begin(t1 + 2999);
  a = h.next(id, t1 + 2999);
  CHECK(a.kind == ActionKind::Fetch);
  h.finish(id, a, t1 + 2999);
  // ... after it (sts_timeout_ms 2000 + 1000 grace) the claim is stale and the next request renews.
  id = h.begin(t1 + 3000);
  a = h.next(id, t1 + 3000);
  REQUIRE(a.kind == ActionKind::Spawn);
  h.engine.release(a.number);  // the host never ran it: released, its claim is abandoned
  h.finish(id, h.next(id, t1 + 3000), t1 + 3000);
  id = h.begin(t1 + 3001);
  a = h.next(id, t1 + 3001);
  CHECK(a.kind == ActionKind::Spawn);  // claimed again at once
  h.engine.release(a.number);
  h.finish(id, h.next(id, t1 + 3001), t1 + 3001);
  h.engine.release(renewal);
  CHECK(h.engine.in_flight() == 0);
}

TEST_CASE("Engine: a failed exchange wakes every waiter with the error; the next request retries", "[federation][engine]") {
  Host h;
  const double now = at("2026-11-26T12:00:00Z");
  std::vector<uint32_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(h.begin(now));
  Action lead = h.next(ids[0], now);
  for (size_t i = 1; i < ids.size(); ++i) REQUIRE(h.next(ids[i], now).kind == ActionKind::Wait);
  h.to_sts(ids[0], lead, now);
  h.fetch_result(ids[0], 403,
                 "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message></Error></ErrorResponse>", now);
  CHECK(h.engine.take_wakeups().size() == 4);
  Action r = h.next(ids[0], now);
  REQUIRE(r.kind == ActionKind::Respond);
  CHECK(r.respond.status == 403);
  CHECK_THAT(r.respond.log_line, Catch::Contains("AccessDenied: no"));
  for (size_t i = 1; i < ids.size(); ++i) {
    h.woken(ids[i], true, now + 1);
    Action w = h.next(ids[i], now + 1);
    REQUIRE(w.kind == ActionKind::Respond);
    CHECK(w.respond.status == 403);
  }
  for (uint32_t id : ids) h.engine.release(id);
  // Not cached: the next request leads a new exchange (L2 lookup first).
  uint32_t again = h.begin(now + 2);
  Action a = h.next(again, now + 2);
  CHECK(a.kind == ActionKind::CacheMatch);
  h.to_sts(again, a, now + 2);
  h.fetch_result(again, 500, "this is not XML", now + 2);
  Action r2 = h.next(again, now + 2);
  CHECK(r2.respond.status == 503);  // STS failing is retryable
  CHECK(find_header(r2.respond.headers, "retry-after") != nullptr);
  CHECK(r2.respond.body.bytes.find("not XML") == std::string::npos);  // details only in the log
  h.engine.release(again);
  CHECK(h.sts_fetches == 2);
}

TEST_CASE("Engine: STS timeout is 503 with Retry-After; waiters give up at the claim's end", "[federation][engine]") {
  Host h;
  const double now = at("2026-11-26T12:00:00Z");
  uint32_t lead = h.begin(now), waiter = h.begin(now);
  Action sts = h.to_sts(lead, h.next(lead, now), now);
  REQUIRE(h.next(waiter, now).kind == ActionKind::Wait);
  // The waiter's timer fires first (no wake): it gives up with 503.
  h.woken(waiter, false, now + 3000);
  Action w = h.next(waiter, now + 3000);
  CHECK(w.respond.status == 503);
  h.engine.release(waiter);
  h.fetch_result(lead, 0, "", now + 2000, FetchOutcome::Timeout);
  Action r = h.next(lead, now + 2000);
  REQUIRE(r.kind == ActionKind::Respond);
  CHECK(r.respond.status == 503);
  CHECK(*find_header(r.respond.headers, "retry-after") == "1");
  CHECK_THAT(r.respond.log_line, Catch::Contains("sts timeout"));
  h.engine.release(lead);
  CHECK(h.engine.in_flight() == 0);
}

TEST_CASE("Engine: the leader going away lets a waiter take over", "[federation][engine]") {
  Host h;
  const double now = at("2026-11-26T12:00:00Z");
  uint32_t lead = h.begin(now), waiter = h.begin(now);
  h.next(lead, now);
  REQUIRE(h.next(waiter, now).kind == ActionKind::Wait);
  h.engine.release(lead);  // client disconnected mid-exchange
  CHECK(h.engine.take_wakeups() == std::vector<uint32_t>{waiter});
  h.woken(waiter, true, now + 5);
  CHECK(h.next(waiter, now + 5).kind == ActionKind::CacheMatch);  // it leads now
  h.engine.release(waiter);
}

TEST_CASE("Engine: L2 hit, and unusable L2 entries are misses", "[federation][engine]") {
  const double now = at("2026-11-26T12:00:00Z");
  const std::string key = l2::cache_key("arn:aws:iam::123456789012:role/data/reader", "repo-acme-data");
  auto drive_open = [&](Host& h, std::string opened, bool ok) {
    uint32_t id = h.begin(now);
    Action a = h.next(id, now);
    REQUIRE(a.kind == ActionKind::CacheMatch);
    CHECK(a.call.name == key);
    h.host_result(id, ActionKind::CacheMatch, true, "sealed-bytes", now);
    a = h.next(id, now);
    REQUIRE(a.kind == ActionKind::Open);
    CHECK(a.call.name == "L2_KEY");
    CHECK(a.call.aad == l2::seal_binding(key, "repo:acme/data"));
    CHECK(a.call.data == "sealed-bytes");
    h.host_result(id, ActionKind::Open, ok, std::move(opened), now);
    return std::make_pair(id, h.next(id, now));
  };
  {
    Host h;
    auto [id, a] = drive_open(h, l2::plaintext(static_cast<int64_t>(now) + 60'000, sts_body("L2ID", "2026-11-26T13:00:00Z")), true);
    CHECK(token_of(a) == "tok-L2ID");
    CHECK_THAT(h.finish(id, a, now), Catch::Contains("\"creds\":\"L2\""));
    CHECK(h.sts_fetches == 0);
  }
  struct Case { std::string opened; bool ok; const char* note; };
  const Case misses[] = {
      {"", false, "l2 entry undecryptable"},
      {l2::plaintext(static_cast<int64_t>(now) - 1, sts_body("X", "2026-11-26T13:00:00Z")), true, "l2 entry expired"},
      {"s3p-l2/1\n123", true, "l2 entry malformed expiry"},
      {l2::plaintext(static_cast<int64_t>(now) + 60'000, "<garbage"), true, "l2 entry unusable"},
      {l2::plaintext(static_cast<int64_t>(now) + 60'000, sts_body("X", "2026-11-26T12:00:30Z")), true, "l2 entry unusable"},
  };
  for (const Case& c : misses) {
    INFO(c.note);
    Host h;
    auto [id, a] = drive_open(h, c.opened, c.ok);
    REQUIRE(a.kind == ActionKind::Random);  // on to STS
    h.host_result(id, ActionKind::Random, true, std::string(16, 'r'), now);
    h.host_result(id, ActionKind::SignRs256, true, "sig", now);  // a result nobody asked for: fails safely
    h.engine.release(id);
  }
  // The note reaches the log line.
  Host h;
  auto [id, a] = drive_open(h, "", false);
  h.host_result(id, ActionKind::Random, true, std::string(16, 'r'), now);
  a = h.next(id, now);
  h.host_result(id, ActionKind::SignRs256, true, "sig", now);
  a = h.next(id, now);
  h.fetch_result(id, 200, sts_body("FRESH", "2026-11-26T13:00:00Z"), now);
  a = h.next(id, now);
  h.run_spawned(a.number, now);
  CHECK_THAT(h.finish(id, h.next(id, now), now), Catch::Contains("\"creds_note\":\"l2 entry undecryptable\""));
}

TEST_CASE("Engine: OIDC documents", "[federation][engine]") {
  Host h;
  for (const char* path : {"/.well-known/openid-configuration", "/.well-known/jwks.json"}) {
    RequestHead head;
    head.method = "GET";
    head.path = path;
    uint32_t id = h.engine.begin(std::move(head), 0);
    Action a = h.engine.next(id, 0);
    REQUIRE(a.kind == ActionKind::Respond);
    CHECK(a.respond.status == 200);
    CHECK(*find_header(a.respond.headers, "content-type") == "application/json");
    CHECK(a.respond.body.bytes == (std::string(path).find("jwks") != std::string::npos
                                       ? h.engine.config().federation.jwks_json
                                       : h.engine.config().federation.openid_configuration_json));
    h.engine.release(id);
  }
  RequestHead post;
  post.method = "POST";
  post.path = "/.well-known/jwks.json";
  uint32_t id = h.engine.begin(std::move(post), 0);
  CHECK(h.engine.next(id, 0).respond.status == 405);
  h.engine.release(id);
}

TEST_CASE("L1 and L2: subjects that sanitize to one session name never share credentials", "[federation]") {
  // "acme/prod" and "acme:prod" both become the session name "acme-prod"; a role's trust policy may admit one
  // subject and not the other, so the second must go through STS itself.
  WebIdentityAuth a, b;
  a.role_arn = b.role_arn = "arn:aws:iam::123456789012:role/data/reader";
  a.subject = "acme/prod";
  b.subject = "acme:prod";
  a.session_name = sanitize_session_name(a.subject);
  b.session_name = sanitize_session_name(b.subject);
  REQUIRE(a.session_name == b.session_name);
  CHECK(Federation::l1_key(a) != Federation::l1_key(b));
  const std::string key = l2::cache_key(a.role_arn, a.session_name);
  CHECK(key == l2::cache_key(b.role_arn, b.session_name));                          // one Cache API entry name…
  CHECK(l2::seal_binding(key, a.subject) != l2::seal_binding(key, b.subject));    // …that opens for one subject only
  WebIdentityAuth longer = a;
  longer.duration_seconds = 7200;
  CHECK(Federation::l1_key(a) != Federation::l1_key(longer));
}
