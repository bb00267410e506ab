// The operation table's classifier: (method, route kind, query, headers) → operation or S3's error.
#include <catch2/catch.hpp>

#include "worker/ops/operation.h"

using namespace s3p;

namespace {

Parsed<S3Operation> run(std::string_view method, Route::Kind where, std::string_view query, Headers headers = {}) {
  std::vector<http::QueryParam> params;
  REQUIRE(http::parse_query(query, params));
  return classify(method, where, params, headers);
}

std::string name_of(const Parsed<S3Operation>& c) { return c.ok ? std::string(operation_name(c.value)) : "error"; }
std::string code_of(const Parsed<S3Operation>& c) { return c.ok ? "" : std::string(c.failure.error->code); }

}  // namespace

TEST_CASE("classify: service and bucket level") {
  using K = Route::Kind;
  CHECK(name_of(run("GET", K::Root, "")) == "ListBuckets");
  CHECK(name_of(run("HEAD", K::Root, "")) == "ListBuckets");
  CHECK(code_of(run("PUT", K::Root, "")) == "MethodNotAllowed");
  CHECK(name_of(run("GET", K::Account, "list-type=2&prefix=a%2F")) == "ListObjects");
  CHECK(name_of(run("GET", K::Account, "")) == "ListObjects");
  CHECK(name_of(run("HEAD", K::Account, "")) == "HeadBucket");
  CHECK(name_of(run("GET", K::Account, "location")) == "GetBucketLocation");
  CHECK(name_of(run("GET", K::Account, "uploads&prefix=r%2F")) == "ListMultipartUploads");
  CHECK(name_of(run("POST", K::Account, "delete")) == "DeleteObjects");
  CHECK(code_of(run("POST", K::Account, "")) == "NotImplemented");
  CHECK(code_of(run("PUT", K::Account, "")) == "MethodNotAllowed");     // CreateBucket is not a client's
  CHECK(code_of(run("DELETE", K::Account, "")) == "MethodNotAllowed");  // nor DeleteBucket
  CHECK(code_of(run("PATCH", K::Account, "")) == "MethodNotAllowed");
}

TEST_CASE("classify: object level") {
  using K = Route::Kind;
  const Headers copy{{"x-amz-copy-source", "/acct/repo/src"}};
  CHECK(name_of(run("GET", K::Object, "")) == "GetObject");
  CHECK(name_of(run("GET", K::Object, "versionId=3&response-content-type=text%2Fplain")) == "GetObject");
  CHECK(name_of(run("HEAD", K::Object, "partNumber=1")) == "HeadObject");
  CHECK(name_of(run("GET", K::Object, "uploadId=u1")) == "ListParts");
  CHECK(name_of(run("PUT", K::Object, "")) == "PutObject");
  CHECK(name_of(run("PUT", K::Object, "x-id=PutObject")) == "PutObject");
  CHECK(name_of(run("PUT", K::Object, "", copy)) == "CopyObject");
  CHECK(name_of(run("PUT", K::Object, "partNumber=2&uploadId=u1")) == "UploadPart");
  CHECK(name_of(run("PUT", K::Object, "partNumber=2&uploadId=u1", copy)) == "UploadPartCopy");
  CHECK(name_of(run("POST", K::Object, "uploads")) == "CreateMultipartUpload");
  CHECK(name_of(run("POST", K::Object, "uploadId=u1")) == "CompleteMultipartUpload");
  CHECK(name_of(run("DELETE", K::Object, "uploadId=u1")) == "AbortMultipartUpload");
  CHECK(name_of(run("DELETE", K::Object, "")) == "DeleteObject");
  CHECK(name_of(run("DELETE", K::Object, "versionId=v")) == "DeleteObject");
}

TEST_CASE("classify: a sub-resource we do not implement is 501, never the operation without it") {
  using K = Route::Kind;
  for (const char* q : {"acl", "tagging", "retention", "legal-hold"}) {
    CAPTURE(q);
    CHECK(code_of(run("PUT", K::Object, q)) == "NotImplemented");
    CHECK(code_of(run("DELETE", K::Object, q)) == "NotImplemented");
  }
  CHECK(code_of(run("POST", K::Object, "restore")) == "NotImplemented");
  CHECK(code_of(run("POST", K::Object, "select&select-type=2")) == "NotImplemented");
  CHECK(code_of(run("POST", K::Account, "delete&acl")) == "NotImplemented");
  CHECK(code_of(run("GET", K::Account, "location&policy")) == "NotImplemented");
  CHECK(code_of(run("PUT", K::Object, "partNumber=1&uploadId=u&tagging")) == "NotImplemented");
  // Half a part address is a malformed request, not a PutObject.
  CHECK(code_of(run("PUT", K::Object, "partNumber=1")) == "InvalidRequest");
  CHECK(code_of(run("PUT", K::Object, "uploadId=u")) == "InvalidRequest");
}

TEST_CASE("classify: every refusal is the client's fault, every operation has a name") {
  auto c = run("PUT", Route::Kind::Object, "acl");
  REQUIRE_FALSE(c.ok);
  CHECK(c.failure.fault == Fault::Client);
  for (int i = 0; i <= static_cast<int>(S3Operation::ListParts); ++i)
    CHECK(operation_name(static_cast<S3Operation>(i)) != "Unknown");
}
