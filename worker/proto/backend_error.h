// What went wrong at a backend, in neutral terms (issue 17's dialect seam): each dialect maps its own error
// codes and statuses to one of these once (worker/azure/errors.h for Azure Blob), and the operations decide the
// client's S3 answer from the class alone, whatever the backend. On the lowest floor so that every dialect and
// every operation can name it.
#pragma once
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
    case BackendError::Other: return "Other";
  }
  return "Other";
}

}  // namespace s3p
