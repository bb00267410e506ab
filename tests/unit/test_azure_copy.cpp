// CopyObject on Azure, whose Copy Blob takes no blob properties (capability copy_properties false): a REPLACE copy
// is followed by Set Blob Properties with the client's content-* and cache-control (what it does not name is
// cleared, as S3's REPLACE does), If-Match the copy's ETag, and the client's CopyObjectResult is that step's; a
// COPY is one request. A refused second step answers as the backend refused it.
#include <catch2/catch.hpp>

#include "azure_fixture.h"

using namespace s3p;
using azure_fixture::Host;

namespace {

const std::string kEmpty(sigv4::kEmptyPayloadHash);

const std::string* header(const FetchAction& f, std::string_view name) { return find_header(f.headers, name); }

Result fetch_result(uint32_t status, Headers headers) {
  Result r;
  r.kind = ActionKind::Fetch;
  r.fetch.status = status;
  r.fetch.headers = std::move(headers);
  return r;
}

}  // namespace

TEST_CASE("azure copy: REPLACE sets the client's properties after the copy, If-Match the copy's ETag", "[azure][copy]") {
  Host host;
  const uint32_t id = host.begin("/acct/onazure/dst.txt", "", kEmpty,
                                 {{"x-amz-copy-source", "/acct/onazure/src.txt"}, {"x-amz-metadata-directive", "REPLACE"},
                                  {"content-type", "text/html"}, {"cache-control", "max-age=5"}, {"x-amz-meta-color", "red"}});
  const Action copy = host.engine.next(id, 0);
  REQUIRE(copy.kind == ActionKind::Fetch);
  CHECK(copy.fetch.method == "PUT");
  CHECK(copy.fetch.url == "http://127.0.0.1:10000/devstoreaccount1/uploads/p/dst.txt");
  REQUIRE(header(copy.fetch, "x-ms-copy-source"));
  CHECK(*header(copy.fetch, "x-ms-meta-color") == "red");
  CHECK_FALSE(header(copy.fetch, "x-ms-blob-content-type"));  // Copy Blob would ignore it

  host.engine.feed(id, fetch_result(202, {{"etag", "\"0x8DC1\""}, {"x-ms-copy-status", "success"}}), 0);
  const Action props = host.engine.next(id, 0);
  REQUIRE(props.kind == ActionKind::Fetch);
  CHECK(props.fetch.method == "PUT");
  CHECK(props.fetch.url == "http://127.0.0.1:10000/devstoreaccount1/uploads/p/dst.txt?comp=properties");
  REQUIRE(header(props.fetch, "x-ms-blob-content-type"));
  CHECK(*header(props.fetch, "x-ms-blob-content-type") == "text/html");
  CHECK(*header(props.fetch, "x-ms-blob-cache-control") == "max-age=5");
  REQUIRE(header(props.fetch, "if-match"));
  CHECK(*header(props.fetch, "if-match") == "\"0x8DC1\"");  // Azure's own form again
  CHECK_FALSE(header(props.fetch, "x-ms-copy-source"));
  CHECK_FALSE(header(props.fetch, "x-ms-meta-color"));  // metadata went with the copy; Set Blob Properties keeps it
  REQUIRE(header(props.fetch, "authorization"));

  host.engine.feed(id, fetch_result(200, {{"etag", "\"0x8DC2\""}, {"last-modified", "Mon, 07 Dec 2026 00:00:00 GMT"}}), 0);
  const Action answer = host.engine.next(id, 0);
  REQUIRE(answer.kind == ActionKind::Respond);
  CHECK(answer.respond.status == 200);
  CHECK(answer.respond.body.bytes.find("<ETag>&quot;0x8DC2-azure&quot;</ETag>") != std::string::npos);
  CHECK(answer.respond.body.bytes.find("<LastModified>2026-12-07T00:00:00Z</LastModified>") != std::string::npos);
}

TEST_CASE("azure copy: COPY (and no directive) is the one Copy Blob", "[azure][copy]") {
  for (const std::vector<sigv4::Header>& extra :
       {std::vector<sigv4::Header>{{"x-amz-copy-source", "/acct/onazure/src.txt"}},
        std::vector<sigv4::Header>{{"x-amz-copy-source", "/acct/onazure/src.txt"}, {"x-amz-metadata-directive", "COPY"}}}) {
    Host host;
    const uint32_t id = host.begin("/acct/onazure/dst.txt", "", kEmpty, extra);
    REQUIRE(host.engine.next(id, 0).kind == ActionKind::Fetch);
    host.engine.feed(id, fetch_result(202, {{"etag", "\"0x8DC1\""}, {"last-modified", "Mon, 07 Dec 2026 00:00:00 GMT"}}), 0);
    const Action answer = host.engine.next(id, 0);
    REQUIRE(answer.kind == ActionKind::Respond);
    CHECK(answer.respond.status == 200);
    INFO(answer.respond.body.bytes);
    CHECK(answer.respond.body.bytes.find("<ETag>&quot;0x8DC1-azure&quot;</ETag>") != std::string::npos);
  }
}

TEST_CASE("azure copy: the properties step refused (the blob changed since the copy) answers 412", "[azure][copy]") {
  Host host;
  const uint32_t id = host.begin("/acct/onazure/dst.txt", "", kEmpty,
                                 {{"x-amz-copy-source", "/acct/onazure/src.txt"}, {"x-amz-metadata-directive", "REPLACE"},
                                  {"content-type", "text/html"}});
  REQUIRE(host.engine.next(id, 0).kind == ActionKind::Fetch);
  host.engine.feed(id, fetch_result(202, {{"etag", "\"0x8DC1\""}}), 0);
  REQUIRE(host.engine.next(id, 0).kind == ActionKind::Fetch);
  Result r = fetch_result(412, {{"x-ms-error-code", "ConditionNotMet"}, {"content-type", "application/xml"}});
  r.fetch.body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>ConditionNotMet</Code><Message>x</Message></Error>";
  host.engine.feed(id, std::move(r), 0);
  const Action answer = host.engine.next(id, 0);
  REQUIRE(answer.kind == ActionKind::Respond);
  CHECK(answer.respond.status == 412);
}
