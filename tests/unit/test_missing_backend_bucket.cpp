// A flat bucket mirrors its backend bucket: a backend NoSuchBucket is the client's NoSuchBucket, and HeadBucket
// asks the backend. Inside a repository a missing backend bucket is a configuration fault: a 5xx other than 500,
// with the fault in the log line.
#include "engine_fixture.h"

using namespace s3p;

namespace {

const char* const kNoSuchBucket = "<Error><Code>NoSuchBucket</Code><Message>gone</Message></Error>";

Action answered(enginetest::Host& h, const std::string& method, const std::string& path, const std::string& query,
                uint32_t status, const std::string& body, std::string* fetched_url = nullptr) {
  const uint32_t id = h.begin(method, path, query);
  Action a = h.next(id);
  REQUIRE(a.kind == ActionKind::Fetch);
  if (fetched_url) *fetched_url = a.fetch.method + " " + a.fetch.url;
  h.answer(id, status, body);
  a = h.next(id);
  REQUIRE(a.kind == ActionKind::Respond);
  h.engine.release(id);
  return a;
}

}  // namespace

TEST_CASE("a flat bucket mirrors a backend NoSuchBucket; a repository's missing bucket is a logged 502",
          "[backend][no-such-bucket]") {
  enginetest::Host h;
  Action a = answered(h, "GET", "/flat/k", "", 404, kNoSuchBucket);
  CHECK(a.respond.status == 404);
  CHECK(a.respond.body.bytes.find("<Code>NoSuchBucket</Code>") != std::string::npos);
  a = answered(h, "GET", "/flat", "list-type=2", 404, kNoSuchBucket);
  CHECK(a.respond.status == 404);
  CHECK(a.respond.body.bytes.find("<Code>NoSuchBucket</Code>") != std::string::npos);

  for (const char* query : {"", "list-type=2&prefix=a%2F"}) {
    INFO(query);
    a = answered(h, "GET", *query ? "/acct" : "/acct/a/k", query, 404, kNoSuchBucket);
    CHECK(a.respond.status >= 501);
    CHECK(a.respond.status <= 599);
    CHECK(a.respond.body.bytes.find("backend-bucket") == std::string::npos);  // no backend name leaks
    CHECK_THAT(a.respond.log_line, Catch::Contains("\"fault\":\"config\""));
  }
}

TEST_CASE("HeadBucket on a flat bucket asks the backend", "[backend][no-such-bucket]") {
  enginetest::Host h;
  std::string url;
  Action a = answered(h, "HEAD", "/flat", "", 404, "", &url);
  CHECK(url == "HEAD http://127.0.0.1:9000/fb/");
  CHECK(a.respond.status == 404);
  a = answered(h, "HEAD", "/flat", "", 200, "");
  CHECK(a.respond.status == 200);
  a = answered(h, "HEAD", "/flat", "", 403, "");
  CHECK(a.respond.status == 403);
  // An account is the proxy's own namespace: answered without a backend.
  const uint32_t id = h.begin("HEAD", "/acct");
  CHECK(h.next(id).respond.status == 200);
  h.engine.release(id);
}

TEST_CASE("a backend refusing the proxy's own credentials is the backend's or the config's fault, never the client's") {
  for (const auto& [code, status, fault] : std::vector<std::tuple<std::string, uint32_t, std::string>>{
           {"ExpiredToken", 503, "backend"}, {"InvalidToken", 503, "backend"},
           {"InvalidAccessKeyId", 502, "config"}, {"SignatureDoesNotMatch", 502, "config"}}) {
    for (const auto& [method, path, query] : std::vector<std::tuple<std::string, std::string, std::string>>{
             {"GET", "/acct/a/key", ""}, {"GET", "/acct", "list-type=2&prefix=a%2F"}}) {
      CAPTURE(code, path);
      enginetest::Host host;
      const uint32_t id = host.begin(method, path, query);
      REQUIRE(host.next(id).kind == ActionKind::Fetch);
      host.answer(id, 400, "<Error><Code>" + code + "</Code><Message>m</Message></Error>");
      const Action a = host.next(id);
      REQUIRE(a.kind == ActionKind::Respond);
      CHECK(a.respond.status == status);
      CHECK_THAT(a.respond.log_line, Catch::Contains("\"fault\":\"" + fault + "\""));
      CHECK(a.respond.body.bytes.find(code) == std::string::npos);  // the backend's code stays in the log
      host.engine.release(id);
    }
  }
}
