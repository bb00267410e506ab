#include "worker/azure/errors.h"

namespace s3p::azure {
namespace {

using E = BackendError;

constexpr ErrorRule kRules[] = {
    // Not found.
    {"BlobNotFound", E::NoSuchKey},
    {"ContainerNotFound", E::NoSuchContainer},
    {"ContainerBeingDeleted", E::NoSuchContainer},
    {"ResourceNotFound", E::NoSuchContainer},  // the account (or the container) named in the path is unknown
    // Conditions.
    {"ConditionNotMet", E::PreconditionFailed},
    {"SourceConditionNotMet", E::PreconditionFailed},
    {"TargetConditionNotMet", E::PreconditionFailed},
    {"BlobAlreadyExists", E::PreconditionFailed},
    {"InvalidRange", E::InvalidRange},
    // Body integrity.
    {"Md5Mismatch", E::DigestMismatch},
    {"InvalidMd5", E::DigestInvalid},
    {"InvalidBlockList", E::InvalidPart},  // Put Block List naming a block that was never put
    {"InvalidBlockId", E::InvalidPart},
    {"InvalidMetadata", E::InvalidArgument},  // a metadata name that is no C# identifier (a '-' in it)
    {"InvalidHeaderValue", E::InvalidArgument},
    {"RequestBodyTooLarge", E::TooLarge},
    {"Crc64Mismatch", E::DigestMismatch},
    // Our credentials.
    {"AuthenticationFailed", E::CredentialsRefused},
    {"AuthorizationFailure", E::CredentialsRefused},
    {"InvalidAuthenticationInfo", E::CredentialsRefused},
    {"NoAuthenticationInformation", E::CredentialsRefused},
    {"AuthorizationPermissionMismatch", E::CredentialsRefused},
    {"AuthorizationResourceTypeMismatch", E::CredentialsRefused},
    {"AuthorizationServiceMismatch", E::CredentialsRefused},
    {"AuthorizationProtocolMismatch", E::CredentialsRefused},
    {"AuthorizationSourceIPMismatch", E::CredentialsRefused},
    {"InsufficientAccountPermissions", E::CredentialsRefused},
    {"KeyBasedAuthenticationNotPermitted", E::CredentialsRefused},
    {"AccountIsDisabled", E::CredentialsRefused},
    // Load.
    {"ServerBusy", E::Throttled},
    {"IngressOverAccountLimit", E::Throttled},
    {"EgressOverAccountLimit", E::Throttled},
    {"TpsOverAccountLimit", E::Throttled},
    {"OperationTimedOut", E::Unavailable},
    {"InternalError", E::Unavailable},
    // Leases: not a condition of the client's.
    {"LeaseIdMissing", E::Other},
    {"LeaseIdMismatchWithBlobOperation", E::Other},
    {"LeaseAlreadyPresent", E::Other},
    {"LeaseNotPresentWithBlobOperation", E::Other},
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
    case 400: return E::BadRequest;  // the request refused (Azurite 3.35's Content-MD5 mismatch is InvalidOperation)
    case 404: return E::NoSuchKey;
    case 412: return E::PreconditionFailed;
    case 416: return E::InvalidRange;
    case 401:
    case 403: return E::CredentialsRefused;
    case 429:
    case 503: return E::Throttled;
    case 500:
    case 502:
    case 504: return E::Unavailable;
    default: return E::Other;
  }
}

}  // namespace s3p::azure
