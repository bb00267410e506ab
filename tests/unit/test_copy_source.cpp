// x-amz-copy-source (worker/route/copy_source.h): S3's forms, and the same containment rules as request paths.
#include <catch2/catch.hpp>

#include <string>

#include "worker/route/copy_source.h"

using s3p::CopySource;
using s3p::CopySourceError;
using s3p::parse_copy_source;

namespace {
CopySource parsed(const char* header) {
  CopySource cs;
  INFO(header);
  REQUIRE(parse_copy_source(header, cs) == CopySourceError::None);
  return cs;
}
}  // namespace

TEST_CASE("copy source: bucket/key with or without the leading slash", "[copy_source]") {
  for (const char* h : {"/acct/repo/dir/file.txt", "acct/repo/dir/file.txt"}) {
    CopySource cs = parsed(h);
    CHECK(cs.route.account == "acct");
    CHECK(cs.route.repo == "repo");
    CHECK(cs.route.key == "dir/file.txt");
    CHECK(cs.route.tail == "repo/dir/file.txt");
    CHECK_FALSE(cs.has_version);
  }
}

TEST_CASE("copy source: percent-decoded once; '+' stays a plus; an encoded '?' is part of the key", "[copy_source]") {
  CopySource cs = parsed("/acct/repo/a%20b%2Bc+d%3Fe%25f/%C3%A9");
  CHECK(cs.route.key == "a b+c+d?e%f/\xC3\xA9");
  cs = parsed("acct/repo/x%2Fy");  // an encoded slash inside a segment is still a slash in the key
  CHECK(cs.route.key == "x/y");
  cs = parsed("acct/repo/a%252Fb");  // decoded once: the key holds "%2F" literally
  CHECK(cs.route.key == "a%2Fb");
}

TEST_CASE("copy source: ?versionId=", "[copy_source]") {
  CopySource cs = parsed("/acct/repo/k?versionId=3HL4kqtJlcpXroDTDmJ%2BrmSpXd3dIbrHY");
  CHECK(cs.has_version);
  CHECK(cs.version_id == "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY");
  CHECK(parsed("acct/repo/k?versionId=null").version_id == "null");
  CopySource bad;
  for (const char* h : {"acct/repo/k?versionId=", "acct/repo/k?versionId", "acct/repo/k?version=1",
                        "acct/repo/k?versionId=1&versionId=2", "acct/repo/k?versionId=1&x=2", "acct/repo/k?versionId=%zz",
                        "acct/repo/k?versionId=a%00b", "acct/repo/k?"}) {
    INFO(h);
    CHECK(parse_copy_source(h, bad) == CopySourceError::BadVersionId);
  }
}

TEST_CASE("copy source: what names no object is Malformed", "[copy_source]") {
  CopySource cs;
  for (const char* h : {"", "/", "acct", "/acct", "acct/", "/acct/", "//repo/k", "/?versionId=1", "acct?versionId=1"}) {
    INFO(h);
    CHECK(parse_copy_source(h, cs) == CopySourceError::Malformed);
  }
}

TEST_CASE("copy source: the same containment as request paths", "[copy_source]") {
  CopySource cs;
  CHECK(parse_copy_source("acct/repo/../other/k", cs) == CopySourceError::DotSegment);
  CHECK(parse_copy_source("acct/repo/..%2Fother%2Fk", cs) == CopySourceError::DotSegment);
  CHECK(parse_copy_source("acct/repo/%2e%2e/k", cs) == CopySourceError::DotSegment);
  CHECK(parse_copy_source("acct/repo/x/.", cs) == CopySourceError::DotSegment);
  CHECK(parse_copy_source("acct/repo/%C0%AE%C0%AE/k", cs) == CopySourceError::BadEncoding);
  CHECK(parse_copy_source("acct/repo/a%00b", cs) == CopySourceError::BadEncoding);
  CHECK(parse_copy_source("acct/repo/a%4", cs) == CopySourceError::BadEncoding);
  CHECK(parse_copy_source("acct%00/repo/k", cs) == CopySourceError::BadEncoding);
  const std::string ok = "acct/" + std::string(1024, 'k');
  const std::string long_ = "acct/" + std::string(1025, 'k');
  CHECK(parse_copy_source(ok, cs) == CopySourceError::None);
  CHECK(parse_copy_source(long_, cs) == CopySourceError::KeyTooLong);
}
