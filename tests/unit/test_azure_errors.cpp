// Azure Blob errors → neutral backend error classes (worker/azure/errors.h, worker/proto/backend_error.h).
// Codes as learn.microsoft.com's "Blob Service Error Codes" and "Common REST API Error Codes" list them, with the
// status Azure sends each with; AuthorizationFailure is what Azurite 3.35 answers a bad signature with
// (tests/azurite/shared_key.test.mjs sees it).
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "worker/azure/errors.h"

using s3p::BackendError;
using s3p::azure::classify_error;

TEST_CASE("Azure errors: each documented code with its status maps to its class", "[azure][azure_errors]") {
  struct Case {
    uint32_t status;
    const char* code;
    BackendError error;
  };
  const Case cases[] = {
      {404, "BlobNotFound", BackendError::NoSuchKey},
      {404, "ContainerNotFound", BackendError::NoSuchContainer},
      {409, "ContainerBeingDeleted", BackendError::NoSuchContainer},
      {404, "ResourceNotFound", BackendError::NoSuchContainer},
      {412, "ConditionNotMet", BackendError::PreconditionFailed},
      {412, "SourceConditionNotMet", BackendError::PreconditionFailed},
      {412, "TargetConditionNotMet", BackendError::PreconditionFailed},
      {409, "BlobAlreadyExists", BackendError::PreconditionFailed},
      {416, "InvalidRange", BackendError::InvalidRange},
      {400, "Md5Mismatch", BackendError::DigestMismatch},
      {400, "Crc64Mismatch", BackendError::DigestMismatch},
      {403, "AuthenticationFailed", BackendError::CredentialsRefused},
      {403, "AuthorizationFailure", BackendError::CredentialsRefused},
      {401, "InvalidAuthenticationInfo", BackendError::CredentialsRefused},
      {401, "NoAuthenticationInformation", BackendError::CredentialsRefused},
      {403, "AuthorizationPermissionMismatch", BackendError::CredentialsRefused},
      {403, "KeyBasedAuthenticationNotPermitted", BackendError::CredentialsRefused},
      {403, "AccountIsDisabled", BackendError::CredentialsRefused},
      {503, "ServerBusy", BackendError::Throttled},
      {503, "IngressOverAccountLimit", BackendError::Throttled},
      {503, "EgressOverAccountLimit", BackendError::Throttled},
      {500, "OperationTimedOut", BackendError::Unavailable},
      {500, "InternalError", BackendError::Unavailable},
      {412, "LeaseIdMissing", BackendError::Other},
      {409, "LeaseAlreadyPresent", BackendError::Other},
      {409, "BlobArchived", BackendError::Other},
      {400, "InvalidBlockList", BackendError::InvalidPart},
      {400, "InvalidHeaderValue", BackendError::InvalidArgument},
  };
  for (const Case& c : cases) {
    INFO(c.code);
    CHECK(classify_error(c.status, c.code) == c.error);
  }
}

TEST_CASE("Azure errors: the code decides, not the status (a lease's 412 is no precondition of the client's)",
          "[azure][azure_errors]") {
  CHECK(classify_error(412, "LeaseIdMissing") == BackendError::Other);
  CHECK(classify_error(409, "BlobAlreadyExists") == BackendError::PreconditionFailed);
  CHECK(classify_error(500, "ServerBusy") == BackendError::Throttled);
}

TEST_CASE("Azure errors: without a code (HEAD, bare answers) or with an unknown one, the status decides",
          "[azure][azure_errors]") {
  for (const char* code : {"", "SomethingNew"}) {
    INFO(code);
    CHECK(classify_error(304, code) == BackendError::NotModified);
    CHECK(classify_error(404, code) == BackendError::NoSuchKey);
    CHECK(classify_error(412, code) == BackendError::PreconditionFailed);
    CHECK(classify_error(416, code) == BackendError::InvalidRange);
    CHECK(classify_error(401, code) == BackendError::CredentialsRefused);
    CHECK(classify_error(403, code) == BackendError::CredentialsRefused);
    CHECK(classify_error(429, code) == BackendError::Throttled);
    CHECK(classify_error(503, code) == BackendError::Throttled);
    CHECK(classify_error(500, code) == BackendError::Unavailable);
    CHECK(classify_error(502, code) == BackendError::Unavailable);
    CHECK(classify_error(504, code) == BackendError::Unavailable);
    CHECK(classify_error(400, code) == BackendError::BadRequest);
    CHECK(classify_error(409, code) == BackendError::Other);
  }
  CHECK(classify_error(404, "blobnotfound") == BackendError::NoSuchKey);  // codes are case-sensitive: the status
  CHECK(classify_error(403, "containernotfound") == BackendError::CredentialsRefused);
}

TEST_CASE("Azure errors: the table lists each code once, and no rule is CredentialsExpired (Azure has no such code)",
          "[azure][azure_errors]") {
  size_t n = 0;
  const s3p::azure::ErrorRule* rules = s3p::azure::error_rules(n);
  std::set<std::string> seen;
  for (size_t i = 0; i < n; ++i) {
    INFO(rules[i].code);
    CHECK(seen.insert(std::string(rules[i].code)).second);
    CHECK(rules[i].error != BackendError::CredentialsExpired);
  }
  CHECK(n >= 30);
  CHECK(s3p::backend_error_name(BackendError::NoSuchContainer) == "NoSuchContainer");
}
