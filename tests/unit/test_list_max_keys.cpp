// max-keys=0 answers as S3 does: an empty listing, IsTruncated false, no NextMarker / NextContinuationToken, and
// no backend round (there is nothing a backend page could add). Checked for every listing shape: account-level
// with a delimiter (answered locally), the walk across repositories, and inside one repository.
#include "engine_fixture.h"

using namespace s3p;
using enginetest::element;

namespace {

void check_empty_untruncated(const Action& a, bool v2) {
  REQUIRE(a.kind == ActionKind::Respond);
  CHECK(a.respond.status == 200);
  const std::string& doc = a.respond.body.bytes;
  CHECK(element(doc, "IsTruncated") == "false");
  CHECK(element(doc, "MaxKeys") == "0");
  CHECK(doc.find("<Contents>") == std::string::npos);
  CHECK(doc.find("<CommonPrefixes>") == std::string::npos);
  CHECK(doc.find("NextMarker") == std::string::npos);
  CHECK(doc.find("NextContinuationToken") == std::string::npos);
  if (v2) CHECK(element(doc, "KeyCount") == "0");
}

}  // namespace

TEST_CASE("max-keys=0 lists nothing and is not truncated, for every listing shape", "[list][max-keys]") {
  enginetest::Host h;
  for (const char* query : {"list-type=2&delimiter=%2F&max-keys=0", "delimiter=%2F&max-keys=0",
                            "list-type=2&max-keys=0", "max-keys=0", "list-type=2&prefix=a%2F&max-keys=0",
                            "prefix=a%2Fx&delimiter=%2F&max-keys=0", "list-type=2&prefix=b&max-keys=0"}) {
    INFO(query);
    const uint32_t id = h.begin("GET", "/acct", query);
    check_empty_untruncated(h.next(id), std::string(query).find("list-type=2") != std::string::npos);
    h.engine.release(id);
  }
  const uint32_t id = h.begin("GET", "/flat", "list-type=2&max-keys=0");
  check_empty_untruncated(h.next(id), true);
  h.engine.release(id);
}
