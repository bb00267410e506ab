// What the write path reads from clients: CompleteMultipartUpload's part list, DeleteObjects' key list, the
// x-amz-copy-source header, part numbers, and the check of a held body against what the client signed.
#include <catch2/catch.hpp>

#include "worker/crypto/md5.h"
#include "worker/crypto/sha256.h"
#include "worker/ops/client_body.h"
#include "worker/ops/complete_multipart_upload.h"
#include "worker/ops/delete_objects.h"
#include "worker/ops/upload_part.h"
#include "worker/route/copy_source.h"

using namespace s3p;

namespace {
std::string code(const Failure& f) { return std::string(f.error->code); }
}  // namespace

TEST_CASE("complete_document: keeps PartNumber, ETag and checksums, drops everything else") {
  auto doc = complete_document(
      "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag><ChecksumCRC32>AAAAAA==</ChecksumCRC32>"
      "<Evil>&lt;x&gt;</Evil></Part><Part><ETag>\"e2\"</ETag><PartNumber>2</PartNumber></Part></CompleteMultipartUpload>");
  REQUIRE(doc.ok);
  CHECK(doc.value.find("<Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part>") != std::string::npos);
  CHECK(doc.value.find("<Part><ETag>&quot;e2&quot;</ETag><PartNumber>2</PartNumber></Part>") != std::string::npos);
  CHECK(doc.value.find("Evil") == std::string::npos);
}

TEST_CASE("complete_document: S3's refusals") {
  const std::string part1 = "<Part><PartNumber>1</PartNumber><ETag>\"a\"</ETag></Part>";
  const std::string part2 = "<Part><PartNumber>2</PartNumber><ETag>\"b\"</ETag></Part>";
  auto wrap = [](const std::string& parts) { return "<CompleteMultipartUpload>" + parts + "</CompleteMultipartUpload>"; };
  CHECK(code(complete_document("").failure) == "MalformedXML");
  CHECK(code(complete_document("<CompleteMultipartUpload>").failure) == "MalformedXML");
  CHECK(code(complete_document("<Other>" + part1 + "</Other>").failure) == "MalformedXML");
  CHECK(code(complete_document(wrap("")).failure) == "MalformedXML");                        // no parts
  CHECK(code(complete_document(wrap(part2 + part1)).failure) == "InvalidPartOrder");         // descending
  CHECK(code(complete_document(wrap(part1 + part1)).failure) == "InvalidPartOrder");         // repeated
  CHECK(code(complete_document(wrap("<Part><PartNumber>1</PartNumber></Part>")).failure) == "MalformedXML");  // no ETag
  for (const char* n : {"0", "10001", "01", "-1", "1.5", "", "99999999999"}) {
    CAPTURE(n);
    CHECK(code(complete_document(wrap(std::string("<Part><PartNumber>") + n + "</PartNumber><ETag>x</ETag></Part>")).failure) == "MalformedXML");
  }
  CHECK(complete_document(wrap("<Part><PartNumber>10000</PartNumber><ETag>x</ETag></Part>")).ok);
  CHECK(code(complete_document(wrap(part1 + "<Junk/>")).failure) == "MalformedXML");
}

TEST_CASE("parse_delete_request: quiet, keys, version ids, the 1000-key bound") {
  auto req = parse_delete_request("<Delete><Quiet>true</Quiet><Object><Key>r/a &amp; b</Key></Object>"
                                  "<Object><Key>r/c</Key><VersionId>v2</VersionId></Object></Delete>");
  REQUIRE(req.ok);
  CHECK(req.value.quiet);
  REQUIRE(req.value.objects.size() == 2);
  CHECK(req.value.objects[0].key == "r/a & b");
  CHECK(req.value.objects[1].version_id == "v2");
  std::string many = "<Delete>";
  for (int i = 0; i < 1000; ++i) many += "<Object><Key>k" + std::to_string(i) + "</Key></Object>";
  CHECK(parse_delete_request(many + "</Delete>").ok);
  CHECK(code(parse_delete_request(many + "<Object><Key>one more</Key></Object></Delete>").failure) == "MalformedXML");
  CHECK(code(parse_delete_request("<Delete></Delete>").failure) == "MalformedXML");
  CHECK(code(parse_delete_request("<Delete><Object><VersionId>v</VersionId></Object></Delete>").failure) == "MalformedXML");
  CHECK(code(parse_delete_request("<Remove><Object><Key>a</Key></Object></Remove>").failure) == "MalformedXML");
}

TEST_CASE("parse_copy_source: S3's forms, and nothing a request path could not name") {
  CopySource s;
  REQUIRE(parse_copy_source("/acct/repo/dir/my%20file.txt", s) == CopySourceError::None);
  CHECK(s.route.account == "acct");
  CHECK(s.route.repo == "repo");
  CHECK(s.route.key == "dir/my file.txt");
  CHECK_FALSE(s.has_version);
  REQUIRE(parse_copy_source("acct/repo/k%3Fq?versionId=abc%2B1", s) == CopySourceError::None);
  CHECK(s.route.key == "k?q");
  CHECK(s.version_id == "abc+1");
  CHECK(parse_copy_source("", s) != CopySourceError::None);
  CHECK(parse_copy_source("/", s) != CopySourceError::None);
  CHECK(parse_copy_source("/acct", s) != CopySourceError::None);
  CHECK(parse_copy_source("/acct/", s) != CopySourceError::None);
  CHECK(parse_copy_source("/acct/repo/a?partNumber=1", s) != CopySourceError::None);
  CHECK(parse_copy_source("/acct/repo/a?versionId=", s) != CopySourceError::None);
  CHECK(parse_copy_source("/acct/repo/../other/x", s) != CopySourceError::None);
  CHECK(parse_copy_source("/acct/repo/%2e%2e/other/x", s) != CopySourceError::None);
  CHECK(parse_copy_source("/acct/repo/%zz", s) != CopySourceError::None);
  CHECK(parse_copy_source("/acct/repo/" + std::string(1100, 'k'), s) != CopySourceError::None);
}

TEST_CASE("valid_part_number: 1 to 10000 in plain decimal") {
  for (const char* ok : {"1", "9", "10", "9999", "10000"}) CHECK(valid_part_number(ok));
  for (const char* bad : {"", "0", "00", "01", "10001", "+1", "-1", " 1", "1 ", "1e3", "4294967297"}) {
    CAPTURE(bad);
    CHECK_FALSE(valid_part_number(bad));
  }
}

TEST_CASE("body_matches_declared: the signed hash and Content-MD5 hold for a body the core reads") {
  const std::string body = "<Delete><Object><Key>r/a</Key></Object></Delete>";
  const std::string sha = crypto::hex(crypto::sha256(body));
  Failure f;
  CHECK(body_matches_declared(body, sha, {}, f));
  CHECK(body_matches_declared(body, "UNSIGNED-PAYLOAD", {}, f));
  CHECK(body_matches_declared(body, "", {{"content-md5", crypto::content_md5(body)}}, f));
  CHECK_FALSE(body_matches_declared(body + " ", sha, {}, f));
  CHECK(code(f) == "XAmzContentSHA256Mismatch");
  CHECK_FALSE(body_matches_declared(body, sha, {{"content-md5", "1B2M2Y8AsgTpgAmY7PhCfg=="}}, f));
  CHECK(code(f) == "BadDigest");
  // RFC 1321's test suite: MD5("abc").
  CHECK(crypto::content_md5("abc") == "kAFQmDzST7DWlj99KOF/cg==");
}
