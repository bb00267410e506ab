// encoding-type=url, element by element, as S3 (and the clients that decode it) have it:
//   V2: Key, CommonPrefixes/Prefix, Prefix, Delimiter, StartAfter are encoded; ContinuationToken is not.
//   V1: Key, CommonPrefixes/Prefix, Delimiter, Marker, NextMarker are encoded; the top-level Prefix is NOT
//       (botocore decodes only Delimiter/Marker/NextMarker at the top level of a V1 answer).
#include "engine_fixture.h"

using namespace s3p;
using enginetest::element;

namespace {

// The answer to a listing, feeding `backend_doc` to its one backend round if it makes one.
std::string listing(enginetest::Host& h, const std::string& query, const std::string& backend_doc = "") {
  const uint32_t id = h.begin("GET", "/acct", query);
  Action a = h.next(id);
  if (a.kind == ActionKind::Fetch) {
    h.answer(id, 200, backend_doc);
    a = h.next(id);
  }
  REQUIRE(a.kind == ActionKind::Respond);
  REQUIRE(a.respond.status == 200);
  h.engine.release(id);
  return a.respond.body.bytes;
}

// A backend page for repository "a" (prefix "a/"), url-encoded as the proxy asked for it.
std::string backend_page(const std::string& prefix_enc) {
  return "<ListBucketResult><Name>backend-bucket</Name><Prefix>" + prefix_enc +
         "</Prefix><KeyCount>1</KeyCount><MaxKeys>1</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>"
         "<NextContinuationToken>tok</NextContinuationToken><Contents><Key>a/%0Ax</Key></Contents>"
         "<EncodingType>url</EncodingType></ListBucketResult>";
}

}  // namespace

TEST_CASE("V1 leaves the top-level Prefix unencoded under encoding-type=url; V2 encodes it", "[list][encoding]") {
  enginetest::Host h;
  // Account level (answered locally).
  const std::string v1 = listing(h, "prefix=%0A&delimiter=%2F&encoding-type=url&marker=%0A");
  CHECK(element(v1, "Prefix") == "\n");
  CHECK(element(v1, "Marker") == "%0A");
  CHECK(element(v1, "Delimiter") == "/");  // encoded, but AWS leaves / raw in encoded values
  const std::string v2 = listing(h, "list-type=2&prefix=%0A&delimiter=%2F&encoding-type=url&start-after=%0A");
  CHECK(element(v2, "Prefix") == "%0A");
  CHECK(element(v2, "StartAfter") == "%0A");

  // Inside a repository (one backend round, rewritten).
  const std::string b1 = listing(h, "prefix=a%2F%0A&delimiter=%2F&encoding-type=url&max-keys=1", backend_page("a/%0A"));
  CHECK(element(b1, "Prefix") == "a/\n");
  CHECK(element(b1, "Key") == "a/%0Ax");
  CHECK(element(b1, "NextMarker") == "a/%0Ax");
  const std::string b2 =
      listing(h, "list-type=2&prefix=a%2F%0A&delimiter=%2F&encoding-type=url&max-keys=1", backend_page("a/%0A"));
  CHECK(element(b2, "Prefix") == "a/%0A");
  CHECK(element(b2, "Key") == "a/%0Ax");
}
