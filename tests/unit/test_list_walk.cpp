// A listing without a delimiter walks the repositories; after a run of empty repositories it answers an empty
// truncated page. Such a page must still say where to resume (V1 NextMarker, V2 NextContinuationToken), and
// resuming from it must continue after the repositories already walked.
#include "engine_fixture.h"
#include "worker/http/uri.h"

using namespace s3p;
using enginetest::element;

namespace {

// The backend prefix a listing fetch asks for.
std::string fetched_prefix(const Action& a) {
  REQUIRE(a.kind == ActionKind::Fetch);
  const std::string& url = a.fetch.url;
  const size_t q = url.find('?');
  std::vector<http::QueryParam> params;
  REQUIRE(http::parse_query(url.substr(q + 1), params, false));
  for (const auto& p : params)
    if (p.name == "prefix") return p.value;
  return "<none>";
}

// Drives a walk whose every backend page is empty; returns the response and the prefixes it fetched.
Action walk_empty(enginetest::Host& h, uint32_t id, std::vector<std::string>& fetched) {
  Action a = h.next(id);
  while (a.kind == ActionKind::Fetch) {
    fetched.push_back(fetched_prefix(a));
    h.answer(id, 200, enginetest::empty_page(fetched.back()));
    a = h.next(id);
  }
  return a;
}

}  // namespace

TEST_CASE("a V1 walk over empty repositories that answers truncated sets a NextMarker that resumes after them",
          "[list][walk]") {
  enginetest::Host h;
  std::vector<std::string> fetched;
  uint32_t id = h.begin("GET", "/acct", "");
  Action a = walk_empty(h, id, fetched);
  REQUIRE(a.kind == ActionKind::Respond);
  REQUIRE(a.respond.status == 200);
  const std::string& doc = a.respond.body.bytes;
  REQUIRE(element(doc, "IsTruncated") == "true");
  const std::string marker = element(doc, "NextMarker");
  REQUIRE(marker != "<absent>");
  REQUIRE_FALSE(marker.empty());
  const std::string last = fetched.back();  // the last repository walked, e.g. "h/"
  h.engine.release(id);

  // Resuming from the marker starts at the repository after the last one walked.
  std::vector<std::string> resumed;
  id = h.begin("GET", "/acct", "marker=" + http::uri_encode(marker, true));
  a = walk_empty(h, id, resumed);
  REQUIRE_FALSE(resumed.empty());
  CHECK(resumed.front() > last);
  CHECK(resumed.front().compare(0, last.size(), last) != 0);
  h.engine.release(id);
}

TEST_CASE("a V2 walk over empty repositories that answers truncated sets a NextContinuationToken that resumes",
          "[list][walk]") {
  enginetest::Host h;
  std::vector<std::string> fetched;
  uint32_t id = h.begin("GET", "/acct", "list-type=2");
  Action a = walk_empty(h, id, fetched);
  REQUIRE(a.kind == ActionKind::Respond);
  const std::string& doc = a.respond.body.bytes;
  REQUIRE(element(doc, "IsTruncated") == "true");
  const std::string token = element(doc, "NextContinuationToken");
  REQUIRE(token != "<absent>");
  REQUIRE_FALSE(token.empty());
  const std::string last = fetched.back();
  h.engine.release(id);

  std::vector<std::string> resumed;
  id = h.begin("GET", "/acct", "list-type=2&continuation-token=" + http::uri_encode(token, true));
  a = walk_empty(h, id, resumed);
  REQUIRE_FALSE(resumed.empty());
  CHECK(resumed.front() > last);
  h.engine.release(id);
}

TEST_CASE("a backend page that is truncated without a continuation token is not passed on as truncated",
          "[list][walk]") {
  enginetest::Host h;
  const uint32_t id = h.begin("GET", "/acct", "list-type=2&prefix=a%2F");
  Action a = h.next(id);
  REQUIRE(a.kind == ActionKind::Fetch);
  h.answer(id, 200,
           "<ListBucketResult><Name>backend-bucket</Name><Prefix>a/</Prefix><KeyCount>1</KeyCount>"
           "<IsTruncated>true</IsTruncated><Contents><Key>a/x</Key></Contents></ListBucketResult>");
  a = h.next(id);
  REQUIRE(a.kind == ActionKind::Respond);
  CHECK(a.respond.status == 502);
  h.engine.release(id);
}
