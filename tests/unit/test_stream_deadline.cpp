// A streamed backend body gets a deadline (worker/ops/stream_deadline.h): the backend's timeout plus its length at
// the backend's floor rate, so a backend that stalls after its headers cannot hold a client forever.
#include <catch2/catch.hpp>

#include "engine_fixture.h"
#include "worker/ops/stream_deadline.h"

namespace {

s3p::Backend backend(uint32_t timeout_ms, uint32_t rate_kib_s) {
  s3p::Backend b;
  b.timeout_ms = timeout_ms;
  b.min_body_rate_kib_s = rate_kib_s;
  return b;
}

// GetObject of a public object whose backend answers 200 with `headers` and a stream: the Respond's deadline.
uint32_t deadline_through_engine(const std::string& config, s3p::Headers headers) {
  enginetest::Host host(config);
  const uint32_t id = host.begin("GET", "/acct/a/k");
  s3p::Action a = host.next(id);
  REQUIRE(a.kind == s3p::ActionKind::Fetch);
  s3p::Result r;
  r.kind = s3p::ActionKind::Fetch;
  r.fetch.status = 200;
  r.fetch.headers = std::move(headers);
  r.fetch.handle = 2;
  host.engine.feed(id, std::move(r), 0);
  a = host.next(id);
  REQUIRE(a.kind == s3p::ActionKind::Respond);
  REQUIRE(a.respond.body.kind == s3p::BodyKind::Handle);
  return a.respond.body_deadline_ms;
}

}  // namespace

TEST_CASE("stream deadline: timeout plus the length at the floor rate; none for small or unknown bodies", "[respond]") {
  using s3p::stream_deadline_ms;
  const auto len = [](const std::string& n) { return s3p::Headers{{"content-length", n}}; };
  // 2 MiB at 16 KiB/s: 128 s of transfer (+1 ms for the rounding), after a 2 s first-byte timeout.
  CHECK(stream_deadline_ms(backend(2000, 16), len("2097152")) == 2000 + 128000 + 1);
  CHECK(stream_deadline_ms(backend(30000, 1024), len("1073741824")) == 30000 + 1024000 + 1);  // 1 GiB at 1 MiB/s
  CHECK(stream_deadline_ms(backend(2000, 16), len("262144")) == 0);   // up to 256 KiB: unbounded
  CHECK(stream_deadline_ms(backend(2000, 16), len("262145")) > 2000);
  CHECK(stream_deadline_ms(backend(2000, 0), len("2097152")) == 0);   // the bound turned off
  CHECK(stream_deadline_ms(backend(2000, 16), {}) == 0);              // no length: nothing to scale by
  CHECK(stream_deadline_ms(backend(2000, 16), len("12x")) == 0);
  // 5 TiB at 1 KiB/s would be ~170 years: capped at what the ABI's u32 carries, never wrapped to a short deadline.
  CHECK(stream_deadline_ms(backend(600000, 1), len("5497558138880")) == 0xFFFFFFFFu);
}

TEST_CASE("stream deadline: a streamed GetObject carries it; the floor rate is configurable and validated", "[respond]") {
  const std::string cfg = enginetest::config();
  CHECK(deadline_through_engine(cfg, {{"content-length", "2097152"}}) == 0);  // off by default (it costs a pipe)

  std::string bounded = cfg;
  const std::string main = R"("main": {)";
  bounded.insert(bounded.find(main) + main.size(), R"("min_body_rate_kib_s": 16,)");
  CHECK(deadline_through_engine(bounded, {{"content-length", "2097152"}}) == 30000 + 128000 + 1);
  CHECK(deadline_through_engine(bounded, {{"content-length", "1024"}}) == 0);

  std::string fast = cfg;
  fast.insert(fast.find(main) + main.size(), R"("timeout_ms": 2000, "min_body_rate_kib_s": 1024,)");
  CHECK(deadline_through_engine(fast, {{"content-length", "2097152"}}) == 2000 + 2000 + 1);

  for (const char* bad : {R"("min_body_rate_kib_s": -1,)", R"("min_body_rate_kib_s": 1048577,)",
                          R"("min_body_rate_kib_s": "16",)"}) {
    std::string c = cfg;
    c.insert(c.find(main) + main.size(), bad);
    s3p::Engine e;
    e.init(c, {}, enginetest::kSeed);
    INFO(bad);
    CHECK_FALSE(e.configured());
    CHECK(e.config_error().find("min_body_rate_kib_s") != std::string::npos);
  }
}
