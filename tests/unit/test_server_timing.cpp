// Server-Timing reveals backend latency and STS exchanges to anyone: it is sent only when the config asks.
#include <catch2/catch.hpp>

#include "engine_fixture.h"

namespace {
std::string timing_of(const std::string& config) {
  enginetest::Host host(config);
  const uint32_t id = host.begin("GET", "/acct", "list-type=2&delimiter=%2F");  // answered locally: the repositories
  s3p::Action a = host.next(id);
  REQUIRE(a.kind == s3p::ActionKind::Respond);
  const std::string* t = s3p::find_header(a.respond.headers, "server-timing");
  return t ? *t : "<absent>";
}
}  // namespace

TEST_CASE("Server-Timing is off by default and on when configured", "[respond]") {
  std::string cfg = enginetest::config();
  CHECK(timing_of(cfg) == "<absent>");
  cfg.insert(cfg.find('{') + 1, R"("server_timing": true,)");
  CHECK(timing_of(cfg).rfind("total;dur=", 0) == 0);
}
