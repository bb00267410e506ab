// Uploads to a backend that recomputes no declared digest (Azure; GCS's XML API): the core hands the host the
// client's body as a Checked body naming every digest the client declared, and the unsigned aws-chunked framing to
// take off (STREAMING-UNSIGNED-PAYLOAD-TRAILER, which these backends cannot decode); bad declarations are refused
// before any backend request, and the host's refusal of a body that does not match answers as S3 does (BadDigest).
// A backend that enforces the payload hash itself (S3) still gets the body as sent.
#include <catch2/catch.hpp>

#include "azure_fixture.h"
#include "worker/ops/upload_body.h"

using namespace s3p;

using azure_fixture::Host;

namespace {

const std::string kTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
const std::string kHello = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";  // sha256("hello")

}  // namespace

TEST_CASE("checked body: an unsigned aws-chunked upload to Azure is decoded by the host, its trailer checksum checked", "[checked]") {
  for (const std::string query : {"", "partNumber=1&uploadId=x"}) {
    Host host;
    const Action a = host.first("/acct/onazure/k.bin", kTrailer,
                                {{"content-encoding", "aws-chunked"}, {"x-amz-decoded-content-length", "5"},
                                 {"x-amz-trailer", "x-amz-checksum-crc32"}, {"x-amz-sdk-checksum-algorithm", "CRC32"}}, query);
    INFO(query);
    if (!query.empty() && a.kind == ActionKind::Respond) continue;  // an upload id the proxy did not mint: refused first
    REQUIRE(a.kind == ActionKind::Fetch);
    REQUIRE(a.fetch.body.kind == BodyKind::Checked);
    const BodyCheck& c = a.fetch.body.check;
    CHECK(a.fetch.body.handle == 1u);
    CHECK(c.aws_chunked);
    CHECK(c.length == 5u);
    REQUIRE(c.digests.size() == 1);
    CHECK(c.digests[0].algorithm == "crc32");
    CHECK(c.digests[0].expected.empty());
    CHECK(c.digests[0].trailer == "x-amz-checksum-crc32");
    CHECK(find_header(a.fetch.headers, "x-amz-trailer") == nullptr);
    CHECK(find_header(a.fetch.headers, "content-encoding") == nullptr);
    CHECK(find_header(a.fetch.headers, "x-amz-decoded-content-length") == nullptr);
  }
}

TEST_CASE("checked body: declared digests of a plain upload to Azure are checked by the host", "[checked]") {
  Host host;
  Action a = host.first("/acct/onazure/k", kHello, {{"content-length", "5"}});
  REQUIRE(a.kind == ActionKind::Fetch);
  REQUIRE(a.fetch.body.kind == BodyKind::Checked);
  CHECK_FALSE(a.fetch.body.check.aws_chunked);
  CHECK(a.fetch.body.check.length == 5u);
  REQUIRE(a.fetch.body.check.digests.size() == 1);
  CHECK(a.fetch.body.check.digests[0].algorithm == "sha256");
  CHECK(a.fetch.body.check.digests[0].hex);
  CHECK(a.fetch.body.check.digests[0].expected == kHello);

  a = host.first("/acct/onazure/k", "UNSIGNED-PAYLOAD", {{"content-length", "5"}, {"x-amz-checksum-crc64nvme", "AAAAAAAAAAA="}});
  REQUIRE(a.kind == ActionKind::Fetch);
  REQUIRE(a.fetch.body.kind == BodyKind::Checked);
  REQUIRE(a.fetch.body.check.digests.size() == 1);
  CHECK(a.fetch.body.check.digests[0].algorithm == "crc64nvme");
  CHECK_FALSE(a.fetch.body.check.digests[0].hex);
  CHECK(a.fetch.body.check.digests[0].expected == "AAAAAAAAAAA=");

  // Both a payload hash and a checksum: both are checked.
  a = host.first("/acct/onazure/k", kHello, {{"content-length", "5"}, {"x-amz-checksum-crc32", "NhCmhg=="}});
  REQUIRE(a.kind == ActionKind::Fetch);
  REQUIRE(a.fetch.body.check.digests.size() == 2);

  // Nothing declared: the body goes as sent.
  a = host.first("/acct/onazure/k", "UNSIGNED-PAYLOAD", {{"content-length", "5"}});
  REQUIRE(a.kind == ActionKind::Fetch);
  CHECK(a.fetch.body.kind == BodyKind::Handle);
}

TEST_CASE("checked body: an S3 backend recomputes what was declared itself: the body goes as sent", "[checked]") {
  Host host;
  for (const auto& [payload, extra] : std::vector<std::pair<std::string, std::vector<sigv4::Header>>>{
           {kHello, {{"content-length", "5"}}},
           {"UNSIGNED-PAYLOAD", {{"content-length", "5"}, {"x-amz-checksum-crc32", "NhCmhg=="}}},
           {kTrailer, {{"x-amz-decoded-content-length", "5"}, {"x-amz-trailer", "x-amz-checksum-crc32"}}}}) {
    const Action a = host.first("/acct/ons3/k", payload, extra);
    INFO(payload);
    REQUIRE(a.kind == ActionKind::Fetch);
    CHECK(a.fetch.body.kind == BodyKind::Handle);
  }
}

TEST_CASE("checked body: bad declarations are refused before any backend request", "[checked]") {
  struct Case {
    std::string payload;
    std::vector<sigv4::Header> extra;
    uint32_t status;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"UNSIGNED-PAYLOAD", {{"content-length", "5"}, {"x-amz-checksum-crc32", "NhCm hg=="}}, 400, "InvalidRequest"},  // not base64
      {"UNSIGNED-PAYLOAD", {{"content-length", "5"}, {"x-amz-checksum-crc32", "AAAAAAAAAAA="}}, 400, "InvalidRequest"},  // 8 bytes
      {"UNSIGNED-PAYLOAD", {{"content-length", "5"}, {"x-amz-checksum-sha256", "!"}}, 400, "InvalidRequest"},
      {"UNSIGNED-PAYLOAD", {{"content-length", "5"}, {"x-amz-checksum-crc32", "NhCmhg=="}, {"x-amz-checksum-crc32c", "AAAAAA=="}}, 400, "InvalidRequest"},
      {kTrailer, {{"x-amz-trailer", "x-amz-checksum-crc32"}}, 411, "MissingContentLength"},
      {kTrailer, {{"x-amz-decoded-content-length", "5x"}}, 400, "InvalidArgument"},
      {kTrailer, {{"x-amz-decoded-content-length", "5"}, {"x-amz-trailer", "x-amz-meta-color"}}, 400, "InvalidRequest"},
      {kTrailer, {{"x-amz-decoded-content-length", "5"}, {"x-amz-trailer", "x-amz-checksum-md5"}}, 400, "InvalidRequest"},
      {kTrailer, {{"x-amz-decoded-content-length", "5"}, {"x-amz-trailer", "x-amz-checksum-crc32"}, {"x-amz-checksum-crc32", "NhCmhg=="}}, 400, "InvalidRequest"},
      {"UNSIGNED-PAYLOAD", {}, 411, "MissingContentLength"},
  };
  for (const auto& c : cases) {
    Host host;
    const Action a = host.first("/acct/onazure/k", c.payload, c.extra);
    INFO(c.payload << " " << (c.extra.empty() ? std::string() : c.extra.back().name + ": " + c.extra.back().value));
    REQUIRE(a.kind == ActionKind::Respond);
    CHECK(a.respond.status == c.status);
    CHECK(a.respond.body.bytes.find("<Code>" + c.code + "</Code>") != std::string::npos);
  }
}

TEST_CASE("checked body: a body the host refused answers as S3 does", "[checked]") {
  for (auto [outcome, status, code] : {std::tuple{FetchOutcome::BodyDigestMismatch, 400u, "BadDigest"},
                                       std::tuple{FetchOutcome::BodyHashMismatch, 400u, "XAmzContentSHA256Mismatch"},
                                       std::tuple{FetchOutcome::BodyMalformed, 400u, "IncompleteBody"}}) {
    Host host;
    const uint32_t id = host.begin("/acct/onazure/k", "", kHello, {{"content-length", "5"}});
    REQUIRE(host.engine.next(id, 0).kind == ActionKind::Fetch);
    Result r;
    r.kind = ActionKind::Fetch;
    r.fetch.outcome = outcome;
    r.fetch.error = "sha256 of the body does not match the declared one";
    host.engine.feed(id, std::move(r), 0);
    const Action a = host.engine.next(id, 0);
    REQUIRE(a.kind == ActionKind::Respond);
    CHECK(a.respond.status == status);
    CHECK(a.respond.body.bytes.find(std::string("<Code>") + code + "</Code>") != std::string::npos);
  }
}
