#include "worker/s3/backend_errors.h"

namespace s3p::s3 {
namespace {

using E = BackendError;

constexpr ErrorRule kRules[] = {
    // The proxy's own credentials: an expired or unknown session token (renew and retry), a refused key or
    // signature (a configuration fault).
    {"ExpiredToken", E::CredentialsExpired},
    {"InvalidToken", E::CredentialsExpired},
    {"TokenRefreshRequired", E::CredentialsExpired},
    {"InvalidAccessKeyId", E::CredentialsRefused},
    {"SignatureDoesNotMatch", E::CredentialsRefused},
    {"AuthorizationHeaderMalformed", E::CredentialsRefused},
    {"InvalidSecurity", E::CredentialsRefused},
    // Not found: the bucket (its 404 would otherwise read as a missing key).
    {"NoSuchBucket", E::NoSuchContainer},
    {"NoSuchUpload", E::NoSuchUpload},
    // Writes refused.
    {"XAmzContentSHA256Mismatch", E::PayloadHashMismatch},
    {"BadDigest", E::DigestMismatch},
    {"InvalidDigest", E::DigestInvalid},
    {"EntityTooLarge", E::TooLarge},
    {"EntityTooSmall", E::TooSmall},
    {"InvalidPart", E::InvalidPart},
    {"InvalidPartOrder", E::InvalidPartOrder},
    {"MalformedXML", E::MalformedBody},
    {"InvalidArgument", E::InvalidArgument},
    // Load.
    {"SlowDown", E::Throttled},
    {"InternalError", E::Unavailable},
    {"ServiceUnavailable", E::Unavailable},
};

}  // namespace

const ErrorRule* error_rules(size_t& count) {
  count = sizeof(kRules) / sizeof(kRules[0]);
  return kRules;
}

BackendError classify_error(uint32_t status, std::string_view code) {
  if (BackendError e; find_error_rule(kRules, code, e)) return e;
  switch (status) {
    case 304: return E::NotModified;
    case 400: return E::BadRequest;
    case 403: return E::Forbidden;
    case 404: return E::NoSuchKey;
    case 411: return E::LengthRequired;
    case 412: return E::PreconditionFailed;
    case 416: return E::InvalidRange;
    case 500:
    case 502:
    case 503:
    case 504: return E::Unavailable;
    default: return E::Other;
  }
}

std::string error_detail(uint32_t status, std::string_view code) {
  std::string d = "backend " + std::to_string(status);
  if (!code.empty()) {
    d += ' ';
    d += code;
  }
  return d;
}

}  // namespace s3p::s3
