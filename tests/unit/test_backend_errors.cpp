// The one mapper of backend errors (ops/backend_op.h backend_error_answer) and the S3 dialect's classifier
// (s3/backend_errors.h): S3 statuses and codes → BackendError → the client's S3 answer, for each kind of call.
// The four mappings it replaced (GetObject/HeadObject, the writes, ListObjects, HeadBucket) are kept below,
// verbatim, as the oracle: on every answer S3 gives (each code with its documented status, any status without a
// code or with a code the table does not list) the mapper answers exactly as they did.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "worker/ops/backend_op.h"
#include "worker/s3/backend_errors.h"

using namespace s3p;
using E = BackendError;

namespace {

// ---- the oracle: the mappings as they were before the mapper -------------------------------------------------
namespace before {

bool refused_credentials(std::string_view code, const std::string& detail, OpStep& out) {
  if (code == "ExpiredToken" || code == "InvalidToken" || code == "TokenRefreshRequired") {
    out = OpStep::fail(backend_fault(errors::ServiceUnavailable, detail + ": the proxy's credentials"));
    return true;
  }
  if (code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch" || code == "AuthorizationHeaderMalformed" ||
      code == "InvalidSecurity") {
    out = OpStep::fail(config_fault(errors::BadGateway, detail + ": the backend refuses the proxy's credentials"));
    return true;
  }
  return false;
}

OpStep read(uint32_t status, const std::string& code, bool flat) {
  std::string detail = "backend " + std::to_string(status) + (code.empty() ? "" : " " + code);
  if (OpStep refused; refused_credentials(code, detail, refused)) return refused;
  switch (status) {
    case 404:
      if (code == "NoSuchBucket") return missing_backend_bucket(flat, detail);
      return OpStep::fail(errors::NoSuchKey, detail);
    case 403: return OpStep::fail(errors::AccessDenied, detail);
    case 412: return OpStep::fail(errors::PreconditionFailed, detail);
    case 416: return OpStep::fail(errors::InvalidRange, detail);
    case 400: return OpStep::fail(errors::InvalidArgument, detail);
    default: return OpStep::fail(errors::BadGateway, detail);
  }
}

OpStep write(uint32_t status, std::string_view code, bool flat) {
  const std::string detail = "backend " + std::to_string(status) + (code.empty() ? "" : " " + std::string(code));
  if (code == "NoSuchBucket") return missing_backend_bucket(flat, detail);
  if (OpStep refused; refused_credentials(code, detail, refused)) return refused;
  if (code == "XAmzContentSHA256Mismatch") return OpStep::fail(errors::XAmzContentSHA256Mismatch, detail);
  if (code == "BadDigest") return OpStep::fail(errors::BadDigest, detail);
  if (code == "InvalidDigest") return OpStep::fail(errors::InvalidDigest, detail);
  if (code == "EntityTooLarge") return OpStep::fail(errors::EntityTooLarge, detail);
  if (code == "EntityTooSmall") return OpStep::fail(errors::EntityTooSmall, detail);
  if (code == "NoSuchUpload") return OpStep::fail(errors::NoSuchUpload, detail);
  if (code == "InvalidPart") return OpStep::fail(errors::InvalidPart, detail);
  if (code == "InvalidPartOrder") return OpStep::fail(errors::InvalidPartOrder, detail);
  if (code == "MalformedXML") return OpStep::fail(errors::MalformedXML, detail);
  if (code == "InvalidArgument") return OpStep::fail(errors::InvalidArgument, detail);
  if (code == "InternalError" || code == "SlowDown" || code == "ServiceUnavailable")
    return OpStep::fail(backend_fault(errors::ServiceUnavailable, detail));
  switch (status) {
    case 403: return OpStep::fail(errors::AccessDenied, detail);
    case 404: return OpStep::fail(errors::NoSuchKey, detail);
    case 411: return OpStep::fail(errors::MissingContentLength, detail);
    case 412: return OpStep::fail(errors::PreconditionFailed, detail);
    case 400: return OpStep::fail(errors::InvalidRequest, detail);
    default: return OpStep::fail(errors::BadGateway, detail);
  }
}

OpStep list(uint32_t status, const std::string& code, bool flat) {
  OpStep step;
  const std::string detail = "backend list " + std::to_string(status) + " " + code;
  if (refused_credentials(code, detail, step)) return step;
  if (status == 403) return OpStep::fail(errors::AccessDenied, detail);
  if (status == 400) return OpStep::fail(errors::InvalidArgument, detail);
  if (status == 404) return missing_backend_bucket(flat, detail);
  return OpStep::fail(errors::BadGateway, detail);
}

OpStep head_bucket(uint32_t status) {
  const std::string detail = "backend HeadBucket " + std::to_string(status);
  switch (status) {
    case 404: return missing_backend_bucket(true, detail);
    case 403: return OpStep::fail(errors::AccessDenied, detail);
    default: return OpStep::fail(errors::BadGateway, detail);
  }
}

}  // namespace before

// ---- the mapper, called as the four operations call it --------------------------------------------------------
OpStep now(BackendCallKind call, uint32_t status, const std::string& code, bool flat) {
  switch (call) {
    case BackendCallKind::Read:
      return backend_error_answer(s3::classify_error(status, code), call, flat, s3::error_detail(status, code));
    case BackendCallKind::Write:
      return backend_error_answer(s3::classify_error(status, code), call, flat, s3::error_detail(status, code));
    case BackendCallKind::List:
      return backend_error_answer(s3::classify_error(status, code), call, flat,
                                  "backend list " + std::to_string(status) + " " + code);
    case BackendCallKind::HeadBucket:
      return backend_error_answer(s3::classify_error(status, ""), call, true,
                                  "backend HeadBucket " + std::to_string(status));
  }
  return {};
}

OpStep then(BackendCallKind call, uint32_t status, const std::string& code, bool flat) {
  switch (call) {
    case BackendCallKind::Read: return before::read(status, code, flat);
    case BackendCallKind::Write: return before::write(status, code, flat);
    case BackendCallKind::List: return before::list(status, code, flat);
    case BackendCallKind::HeadBucket: return before::head_bucket(status);
  }
  return {};
}

const char* call_name(BackendCallKind c) {
  switch (c) {
    case BackendCallKind::Read: return "read";
    case BackendCallKind::Write: return "write";
    case BackendCallKind::List: return "list";
    case BackendCallKind::HeadBucket: return "head-bucket";
  }
  return "?";
}

void same_answer(const OpStep& a, const OpStep& b) {
  REQUIRE(a.kind == OpStep::Kind::Error);
  REQUIRE(b.kind == OpStep::Kind::Error);
  CHECK(a.failure.error == b.failure.error);  // the same constant: code, status and message
  CHECK(a.failure.error->code == b.failure.error->code);
  CHECK(a.failure.error->status == b.failure.error->status);
  CHECK(fault_name(a.failure.fault) == fault_name(b.failure.fault));
  CHECK(a.failure.detail == b.failure.detail);
}

constexpr BackendCallKind kCalls[] = {BackendCallKind::Read, BackendCallKind::Write, BackendCallKind::List,
                                      BackendCallKind::HeadBucket};

}  // namespace

TEST_CASE("S3 backend errors: each listed code, with the status S3 sends it with, maps to its class",
          "[backend_errors][s3]") {
  struct Case {
    uint32_t status;
    const char* code;
    BackendError error;
  };
  const Case cases[] = {
      {400, "ExpiredToken", E::CredentialsExpired},
      {400, "InvalidToken", E::CredentialsExpired},
      {400, "TokenRefreshRequired", E::CredentialsExpired},
      {403, "InvalidAccessKeyId", E::CredentialsRefused},
      {403, "SignatureDoesNotMatch", E::CredentialsRefused},
      {400, "AuthorizationHeaderMalformed", E::CredentialsRefused},
      {403, "InvalidSecurity", E::CredentialsRefused},
      {404, "NoSuchBucket", E::NoSuchContainer},
      {404, "NoSuchUpload", E::NoSuchUpload},
      {400, "XAmzContentSHA256Mismatch", E::PayloadHashMismatch},
      {400, "BadDigest", E::DigestMismatch},
      {400, "InvalidDigest", E::DigestInvalid},
      {400, "EntityTooLarge", E::TooLarge},
      {400, "EntityTooSmall", E::TooSmall},
      {400, "InvalidPart", E::InvalidPart},
      {400, "InvalidPartOrder", E::InvalidPartOrder},
      {400, "MalformedXML", E::MalformedBody},
      {400, "InvalidArgument", E::InvalidArgument},
      {503, "SlowDown", E::Throttled},
      {500, "InternalError", E::Unavailable},
      {503, "ServiceUnavailable", E::Unavailable},
      // Codes that say what their status says: the status classifies them.
      {404, "NoSuchKey", E::NoSuchKey},
      {403, "AccessDenied", E::Forbidden},
      {412, "PreconditionFailed", E::PreconditionFailed},
      {416, "InvalidRange", E::InvalidRange},
      {400, "InvalidRequest", E::BadRequest},
      {411, "MissingContentLength", E::LengthRequired},
      {501, "NotImplemented", E::Other},
      {409, "BucketNotEmpty", E::Other},
      // An <Error> inside a 200 answer (CompleteMultipartUpload, CopyObject): its code, or Other.
      {200, "InternalError", E::Unavailable},
      {200, "NoSuchUpload", E::NoSuchUpload},
      {200, "AccessDenied", E::Other},
      {200, "", E::Other},
  };
  for (const Case& c : cases) {
    INFO(c.status << " " << c.code);
    CHECK(s3::classify_error(c.status, c.code) == c.error);
  }
}

TEST_CASE("S3 backend errors: without a code (HEAD answers, bare ones) or with an unknown one, the status decides",
          "[backend_errors][s3]") {
  for (const char* code : {"", "SomethingNew"}) {
    INFO(code);
    CHECK(s3::classify_error(304, code) == E::NotModified);
    CHECK(s3::classify_error(400, code) == E::BadRequest);
    CHECK(s3::classify_error(401, code) == E::Other);
    CHECK(s3::classify_error(403, code) == E::Forbidden);
    CHECK(s3::classify_error(404, code) == E::NoSuchKey);
    CHECK(s3::classify_error(405, code) == E::Other);
    CHECK(s3::classify_error(411, code) == E::LengthRequired);
    CHECK(s3::classify_error(412, code) == E::PreconditionFailed);
    CHECK(s3::classify_error(416, code) == E::InvalidRange);
    CHECK(s3::classify_error(429, code) == E::Other);
    for (uint32_t s : {500u, 502u, 503u, 504u}) CHECK(s3::classify_error(s, code) == E::Unavailable);
    CHECK(s3::classify_error(501, code) == E::Other);
  }
}

TEST_CASE("S3 backend errors: the table lists each code once; the log detail is \"backend STATUS[ CODE]\"",
          "[backend_errors][s3]") {
  size_t n = 0;
  const s3::ErrorRule* rules = s3::error_rules(n);
  std::set<std::string_view> seen;
  for (size_t i = 0; i < n; ++i) {
    INFO(rules[i].code);
    CHECK(seen.insert(rules[i].code).second);
    CHECK(rules[i].error != E::Other);
  }
  CHECK(s3::error_detail(404, "NoSuchKey") == "backend 404 NoSuchKey");
  CHECK(s3::error_detail(403, "") == "backend 403");
}

TEST_CASE("backend error mapper: each class, for each kind of call, flat bucket and repository",
          "[backend_errors][mapper]") {
  struct Answer {
    const S3Error* error;  // nullptr: the missing-backend-bucket answer (NoSuchBucket if flat, else a config 502)
    Fault fault;
  };
  struct Row {
    BackendError error;
    Answer read, write, list, head_bucket;
  };
  constexpr Fault C = Fault::Client, B = Fault::Backend, K = Fault::Config;
  const Answer bucket{nullptr, C}, gateway{&errors::BadGateway, B}, unavailable{&errors::ServiceUnavailable, B},
      denied{&errors::AccessDenied, B}, invalid_arg{&errors::InvalidArgument, C};
  const Row rows[] = {
      //                      read                              write                                  list         head
      {E::NoSuchKey, {&errors::NoSuchKey, C}, {&errors::NoSuchKey, C}, bucket, bucket},
      {E::NoSuchContainer, bucket, bucket, bucket, bucket},
      {E::PreconditionFailed, {&errors::PreconditionFailed, C}, {&errors::PreconditionFailed, C}, gateway, gateway},
      {E::NotModified, gateway, gateway, gateway, gateway},
      {E::InvalidRange, {&errors::InvalidRange, C}, gateway, gateway, gateway},
      {E::DigestMismatch, invalid_arg, {&errors::BadDigest, C}, invalid_arg, gateway},
      {E::CredentialsExpired, unavailable, unavailable, unavailable, unavailable},
      {E::CredentialsRefused, {&errors::BadGateway, K}, {&errors::BadGateway, K}, {&errors::BadGateway, K},
       {&errors::BadGateway, K}},
      {E::Throttled, unavailable, unavailable, unavailable, unavailable},
      {E::Unavailable, unavailable, unavailable, unavailable, unavailable},
      {E::Forbidden, denied, denied, denied, denied},
      {E::BadRequest, invalid_arg, {&errors::InvalidRequest, C}, invalid_arg, gateway},
      {E::InvalidArgument, invalid_arg, invalid_arg, invalid_arg, gateway},
      {E::LengthRequired, gateway, {&errors::MissingContentLength, C}, gateway, gateway},
      {E::PayloadHashMismatch, invalid_arg, {&errors::XAmzContentSHA256Mismatch, C}, invalid_arg, gateway},
      {E::DigestInvalid, invalid_arg, {&errors::InvalidDigest, C}, invalid_arg, gateway},
      {E::TooLarge, invalid_arg, {&errors::EntityTooLarge, C}, invalid_arg, gateway},
      {E::TooSmall, invalid_arg, {&errors::EntityTooSmall, C}, invalid_arg, gateway},
      {E::NoSuchUpload, {&errors::NoSuchKey, C}, {&errors::NoSuchUpload, C}, bucket, bucket},
      {E::InvalidPart, invalid_arg, {&errors::InvalidPart, C}, invalid_arg, gateway},
      {E::InvalidPartOrder, invalid_arg, {&errors::InvalidPartOrder, C}, invalid_arg, gateway},
      {E::MalformedBody, invalid_arg, {&errors::MalformedXML, C}, invalid_arg, gateway},
      {E::Other, gateway, gateway, gateway, gateway},
  };
  std::set<BackendError> covered;
  for (const Row& row : rows) {
    covered.insert(row.error);
    for (bool flat : {true, false}) {
      for (BackendCallKind call : kCalls) {
        const Answer& want = call == BackendCallKind::Read    ? row.read
                             : call == BackendCallKind::Write ? row.write
                             : call == BackendCallKind::List  ? row.list
                                                          : row.head_bucket;
        INFO(backend_error_name(row.error) << " " << call_name(call) << (flat ? " flat" : " repository"));
        const OpStep got = backend_error_answer(row.error, call, flat, "backend 999 X");
        REQUIRE(got.kind == OpStep::Kind::Error);
        if (want.error) {
          CHECK(got.failure.error == want.error);
          CHECK(fault_name(got.failure.fault) == fault_name(want.fault));
        } else if (flat) {
          CHECK(got.failure.error == &errors::NoSuchBucket);
          CHECK(got.failure.fault == Fault::Client);
        } else {
          CHECK(got.failure.error == &errors::BadGateway);
          CHECK(got.failure.fault == Fault::Config);
          CHECK(got.failure.detail == "backend 999 X: the repository's backend bucket does not exist");
        }
      }
    }
  }
  CHECK(covered.size() == static_cast<size_t>(E::Other) + 1);  // every class has a row
  // The credentials classes say so in the log, never to the client.
  CHECK(backend_error_answer(E::CredentialsExpired, BackendCallKind::Read, true, "backend 400 ExpiredToken")
            .failure.detail == "backend 400 ExpiredToken: the proxy's credentials");
  CHECK(backend_error_answer(E::CredentialsRefused, BackendCallKind::List, false, "d").failure.detail ==
        "d: the backend refuses the proxy's credentials");
  CHECK(backend_error_answer(E::Forbidden, BackendCallKind::Write, false, "d").failure.detail == "d");
}

TEST_CASE("backend error mapper: S3 answers as the four mappings it replaced answered them",
          "[backend_errors][mapper]") {
  // Any status, with no code, an unknown one, or one that only repeats its status, and each credentials code
  // (those win at any status, as they did).
  const uint32_t statuses[] = {200, 301, 304, 307, 400, 401, 403, 404, 405, 409, 411, 412, 416, 429, 501, 505};
  const char* const status_codes[] = {"",
                                      "SomethingNew",
                                      "NoSuchKey",
                                      "AccessDenied",
                                      "PreconditionFailed",
                                      "InvalidRange",
                                      "InvalidRequest",
                                      "ExpiredToken",
                                      "InvalidToken",
                                      "TokenRefreshRequired",
                                      "InvalidAccessKeyId",
                                      "SignatureDoesNotMatch",
                                      "AuthorizationHeaderMalformed",
                                      "InvalidSecurity"};
  struct Pair {
    uint32_t status;
    std::string code;
  };
  std::vector<Pair> pairs;
  for (uint32_t s : statuses)
    for (const char* c : status_codes) pairs.push_back({s, c});
  // Each other code of the S3 table with the status S3 sends it with (the 5xx ones never reach the mapper:
  // backend_failure answers them 503 first), and in a 200 answer's <Error> (the writes read those).
  for (const auto& [s, c] : std::vector<Pair>{{404, "NoSuchBucket"},
                                              {404, "NoSuchUpload"},
                                              {400, "XAmzContentSHA256Mismatch"},
                                              {400, "BadDigest"},
                                              {400, "InvalidDigest"},
                                              {400, "EntityTooLarge"},
                                              {400, "EntityTooSmall"},
                                              {400, "InvalidPart"},
                                              {400, "InvalidPartOrder"},
                                              {400, "MalformedXML"},
                                              {400, "InvalidArgument"}})
    pairs.push_back({s, c});
  for (const char* c : {"NoSuchBucket", "NoSuchUpload", "BadDigest", "EntityTooSmall", "InvalidPart", "MalformedXML",
                        "InternalError", "SlowDown", "ServiceUnavailable", "NoSuchKey", "AccessDenied"})
    pairs.push_back({200, c});

  for (const Pair& p : pairs)
    for (bool flat : {true, false})
      for (BackendCallKind call : kCalls) {
        if (p.status == 200 && call != BackendCallKind::Write) continue;  // only the writes read a 200's <Error>
        if (call == BackendCallKind::HeadBucket && !flat) continue;      // HeadBucket asks only a flat bucket's backend
        INFO(call_name(call) << " " << p.status << " " << p.code << (flat ? " flat" : " repository"));
        same_answer(now(call, p.status, p.code, flat), then(call, p.status, p.code, flat));
      }
}

TEST_CASE("backend error mapper: where it differs from before — a load code at a status S3 does not send it with",
          "[backend_errors][mapper]") {
  // Before, a read or a listing went by the status alone, so a SlowDown inside a 429 (no S3 sends that; a few
  // S3-compatible stores may) was a 502; the writes already answered a load code 503. Now every call does.
  for (BackendCallKind call : {BackendCallKind::Read, BackendCallKind::List}) {
    INFO(call_name(call));
    const OpStep got = now(call, 429, "SlowDown", true);
    CHECK(got.failure.error == &errors::ServiceUnavailable);
    CHECK(got.failure.fault == Fault::Backend);
    CHECK(then(call, 429, "SlowDown", true).failure.error == &errors::BadGateway);
  }
  CHECK(now(BackendCallKind::Write, 429, "SlowDown", true).failure.error == &errors::ServiceUnavailable);
}
