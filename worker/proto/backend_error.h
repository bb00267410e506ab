// What went wrong at a backend, in neutral terms (issue 17's dialect seam): each dialect maps its own error
// codes and statuses to one of these once (worker/azure/errors.h for Azure Blob), and the operations decide the
// client's S3 answer from the class alone, whatever the backend. On the lowest floor so that every dialect and
// every operation can name it. The mapper from a class to the client's S3 answer is ops/backend_op.h's
// backend_error_answer; S3's classifier is worker/s3/backend_errors.h.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace s3p {

enum class BackendError : uint8_t {
  NoSuchKey,           // the object (blob) does not exist
  NoSuchContainer,     // the bucket / container (or the storage account) does not exist: a configuration fault
  PreconditionFailed,  // an If-Match / If-Unmodified-Since / If-None-Match (on a write) did not hold
  NotModified,         // an If-None-Match / If-Modified-Since on a read held: 304, not an error to the client
  InvalidRange,        // the range lies outside the object
  DigestMismatch,      // the backend refused a body that does not match its declared digest (MD5, CRC64, SHA-256)
  CredentialsExpired,  // our credentials are past their lifetime: renew and retry once
  CredentialsRefused,  // our credentials (signature, key, token, role) are not accepted, or lack permission
  Throttled,           // the backend asks to slow down (retryable; the client gets SlowDown / 503)
  Unavailable,         // timed out or failed inside (retryable; the client gets ServiceUnavailable)
  Forbidden,           // the backend denies this one request (S3's 403 AccessDenied: a policy, an ACL), not our
                       // credentials as such
  BadRequest,          // the backend finds the request invalid, without saying more (400)
  InvalidArgument,     // the backend names an argument of the request invalid
  LengthRequired,      // the backend wants a length for the body (411)
  // What a write can be refused for (each a client error S3 names).
  PayloadHashMismatch,  // the body does not match the signed payload hash (x-amz-content-sha256)
  DigestInvalid,        // a digest header sent with the body is malformed
  TooLarge,             // the object or part is larger than the backend accepts
  TooSmall,             // a multipart part (not the last) is smaller than the backend accepts
  NoSuchUpload,         // the multipart upload does not exist (aborted, completed, never created)
  InvalidPart,          // a part named in a multipart completion is missing or its ETag differs
  InvalidPartOrder,     // the parts of a multipart completion are not in ascending order
  MalformedBody,        // a request document the backend reads (a part list, a delete list) is malformed
  Other,               // anything else: the client gets a generic 502, the log the backend's code
};

// The class's name, for log lines.
constexpr std::string_view backend_error_name(BackendError e) {
  switch (e) {
    case BackendError::NoSuchKey: return "NoSuchKey";
    case BackendError::NoSuchContainer: return "NoSuchContainer";
    case BackendError::PreconditionFailed: return "PreconditionFailed";
    case BackendError::NotModified: return "NotModified";
    case BackendError::InvalidRange: return "InvalidRange";
    case BackendError::DigestMismatch: return "DigestMismatch";
    case BackendError::CredentialsExpired: return "CredentialsExpired";
    case BackendError::CredentialsRefused: return "CredentialsRefused";
    case BackendError::Throttled: return "Throttled";
    case BackendError::Unavailable: return "Unavailable";
    case BackendError::Forbidden: return "Forbidden";
    case BackendError::BadRequest: return "BadRequest";
    case BackendError::InvalidArgument: return "InvalidArgument";
    case BackendError::LengthRequired: return "LengthRequired";
    case BackendError::PayloadHashMismatch: return "PayloadHashMismatch";
    case BackendError::DigestInvalid: return "DigestInvalid";
    case BackendError::TooLarge: return "TooLarge";
    case BackendError::TooSmall: return "TooSmall";
    case BackendError::NoSuchUpload: return "NoSuchUpload";
    case BackendError::InvalidPart: return "InvalidPart";
    case BackendError::InvalidPartOrder: return "InvalidPartOrder";
    case BackendError::MalformedBody: return "MalformedBody";
    case BackendError::Other: return "Other";
  }
  return "Other";
}

// One row of a dialect's table of error codes (its classifier checks the code first, then the status).
struct BackendErrorRule {
  std::string_view code;
  BackendError error;
};

// The class a table gives `code`; false when the code is empty or not in the table.
template <size_t N>
constexpr bool find_error_rule(const BackendErrorRule (&rules)[N], std::string_view code, BackendError& out) {
  if (code.empty()) return false;
  for (const BackendErrorRule& r : rules)
    if (r.code == code) return out = r.error, true;
  return false;
}

}  // namespace s3p
