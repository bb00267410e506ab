// Engine lifecycle rules: a second init while tasks are in flight is refused (they hold references into the
// config), and task ids that wrap around skip ids still held by live tasks.
#include "engine_fixture.h"

using namespace s3p;

TEST_CASE("init is refused while tasks are in flight, and the current config stays", "[engine][lifecycle]") {
  enginetest::Host h;
  const uint32_t id = h.begin("GET", "/acct/a/key");
  REQUIRE(h.next(id).kind == ActionKind::Fetch);  // the request now refers to backend "main"
  CHECK_FALSE(h.engine.init(R"({"backends": {}, "accounts": {}})", {}, enginetest::kSeed));
  CHECK(h.engine.configured());
  CHECK(h.engine.config().find("acct") != nullptr);
  // The request still completes against the config it started with.
  h.answer(id, 404, "<Error><Code>NoSuchKey</Code></Error>");
  const Action a = h.next(id);
  REQUIRE(a.kind == ActionKind::Respond);
  CHECK(a.respond.status == 404);
  h.engine.release(id);
  // Idle: a new config is taken.
  CHECK(h.engine.init(R"({"backends": {"x": {"endpoint": "http://127.0.0.1:1", "bucket": "bkt"}},
                          "accounts": {"other": {"repositories": {"r": {"backend": "x"}}}}})", {}, enginetest::kSeed));
  CHECK(h.engine.config().find("acct") == nullptr);
  CHECK(h.engine.config().find("other") != nullptr);
}

TEST_CASE("task ids wrap around past 0 and skip ids still in use", "[engine][lifecycle]") {
  enginetest::Host h;
  h.engine.restart_ids_at(0xFFFFFFFEu);
  const uint32_t a = h.begin("GET", "/acct/a/k"), b = h.begin("GET", "/acct/a/k"), c = h.begin("GET", "/acct/a/k");
  CHECK(a == 0xFFFFFFFEu);
  CHECK(b == 0xFFFFFFFFu);
  CHECK(c == 1);  // never 0
  // The counter comes round to ids that are still live: they are skipped, and every live task stays reachable.
  h.engine.restart_ids_at(0xFFFFFFFEu);
  const uint32_t d = h.begin("GET", "/acct/a/k");
  CHECK(d == 2);
  CHECK(h.engine.in_flight() == 4);
  for (uint32_t id : {a, b, c, d}) {
    INFO(id);
    CHECK(h.next(id).kind == ActionKind::Fetch);  // each id still names a live request of its own
    h.engine.release(id);
  }
  CHECK(h.engine.in_flight() == 0);
}
