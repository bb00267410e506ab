// Azure Blob service errors → the neutral backend error classes (proto/backend_error.h): one table, by error code
// first, then by HTTP status for a code it does not list (or none: HEAD answers carry no body, and a few answers
// none at all).
//
// Where the code comes from: the x-ms-error-code response header, which Azure and Azurite set on every error
// (HEAD included), else the body's <Error><Code> (xml::error_code_of reads it). Codes as "Blob Service Error
// Codes" and "Common REST API Error Codes" (learn.microsoft.com) list them. Two refusals of a signature exist:
// Azure answers AuthenticationFailed (403), Azurite 3.35 AuthorizationFailure (403); both are CredentialsRefused.
//
// Choices worth knowing:
//   BlobAlreadyExists (409)   PreconditionFailed: the dialect only meets it on a write it made conditional with
//                             If-None-Match: *, which S3 answers 412
//   lease codes (412/409)     Other, not PreconditionFailed: a lease held by someone else is no condition the
//                             S3 client stated
//   ServerBusy (503) and the  Throttled; OperationTimedOut and InternalError (500) are Unavailable
//   account-limit codes
//   CredentialsExpired        never: Azure has no code for it (an expired bearer token or SAS is
//                             InvalidAuthenticationInfo / AuthenticationFailed like any refusal), so the exchange
//                             must renew ahead of expiry; a refusal is CredentialsRefused
//   status fallbacks          304 NotModified, 400 BadRequest, 404 NoSuchKey, 412 PreconditionFailed, 416 InvalidRange,
//                             401/403 CredentialsRefused, 429/503 Throttled, 500/502/504 Unavailable, else Other
#pragma once
#include <cstdint>
#include <string_view>

#include "worker/proto/backend_error.h"

namespace s3p::azure {

using ErrorRule = BackendErrorRule;

// The table itself (for tests and for the README).
const ErrorRule* error_rules(size_t& count);

// The class of an answer with this status and error code ("" when none was given). Only for answers that are
// errors (status >= 300); a 2xx is not classified.
BackendError classify_error(uint32_t status, std::string_view code);

}  // namespace s3p::azure
