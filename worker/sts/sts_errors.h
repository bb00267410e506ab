// The errors the proxy's STS endpoint answers, as STS words them (code, HTTP status, message), rendered as
// <ErrorResponse><Error><Type>Sender|Receiver</Type><Code/><Message/></Error><RequestId/></ErrorResponse>.
// Same shape as S3Error (a Failure points at one); the endpoint maps S3 refusals of its shared steps (session
// token, registry, signature) onto these with `from_s3`.
#pragma once
#include "worker/s3/errors.h"

namespace s3p::sts::errors {

inline constexpr S3Error MissingAction{"MissingAction", 400, "The request is missing an action or a required parameter."};
inline constexpr S3Error InvalidAction{"InvalidAction", 400, "Could not find this Action for version 2011-06-15 (supported: AssumeRole, AssumeRoleWithWebIdentity, GetCallerIdentity)."};
inline constexpr S3Error MethodNotAllowed{"InvalidAction", 405, "STS actions are sent with POST (a form) or GET (a query)."};
inline constexpr S3Error MalformedInput{"InvalidParameterValue", 400, "The request's parameters are not a well-formed form (application/x-www-form-urlencoded, each parameter once)."};
inline constexpr S3Error MissingRoleArn{"MissingParameter", 400, "The request must contain the parameter RoleArn."};
inline constexpr S3Error MissingSessionName{"MissingParameter", 400, "The request must contain the parameter RoleSessionName."};
inline constexpr S3Error BadRoleArn{"ValidationError", 400, "RoleArn must be arn:aws:iam::s3-edge-proxy:role/NAME with NAME 1-64 of [\\w+=,.@-]."};
inline constexpr S3Error BadSessionName{"ValidationError", 400, "RoleSessionName must be 2-64 characters of [\\w+=,.@-]."};
inline constexpr S3Error BadDuration{"ValidationError", 400, "DurationSeconds must be a whole number of seconds."};
inline constexpr S3Error DurationTooShort{"ValidationError", 400, "DurationSeconds must be at least 900 (15 minutes)."};
inline constexpr S3Error DurationTooLong{"ValidationError", 400, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."};
inline constexpr S3Error PolicyUnsupported{"ValidationError", 400, "Session policies (Policy, PolicyArns) are not supported: a session grants its role's scopes within the calling key's."};
inline constexpr S3Error NotAuthorized{"AccessDenied", 403, "The caller is not authorized to perform sts:AssumeRole on this role."};
inline constexpr S3Error NoRoleChaining{"AccessDenied", 403, "Session credentials cannot assume a role; sign AssumeRole with an access key."};
inline constexpr S3Error MissingAuthenticationToken{"MissingAuthenticationToken", 403, "Request is missing Authentication Token"};
inline constexpr S3Error InvalidClientTokenId{"InvalidClientTokenId", 403, "The security token included in the request is invalid."};
inline constexpr S3Error SignatureDoesNotMatch{"SignatureDoesNotMatch", 403, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."};
inline constexpr S3Error SignatureExpired{"SignatureDoesNotMatch", 403, "Signature expired: the request's time is more than 15 minutes from the current time."};
inline constexpr S3Error IncompleteSignature{"IncompleteSignature", 400, "The request signature does not conform to AWS standards (STS takes AWS4-HMAC-SHA256 for service sts)."};
inline constexpr S3Error ExpiredToken{"ExpiredToken", 400, "The security token included in the request is expired"};
// AssumeRoleWithWebIdentity (codes and statuses as botocore's STS model has them).
inline constexpr S3Error MissingWebIdentityToken{"MissingParameter", 400, "The request must contain the parameter WebIdentityToken."};
inline constexpr S3Error InvalidIdentityToken{"InvalidIdentityToken", 400, "The web identity token that was passed could not be validated. Get a new identity token from the identity provider and then retry the request."};
inline constexpr S3Error ExpiredIdentityToken{"ExpiredTokenException", 400, "The web identity token that was passed is expired or is not valid. Get a new identity token from the identity provider and then retry the request."};
inline constexpr S3Error IdpCommunicationError{"IDPCommunicationError", 400, "The identity provider that was asked to verify the incoming identity token could not be reached. Retry the request a limited number of times and wait between attempts."};
inline constexpr S3Error WebIdentityNotAuthorized{"AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithWebIdentity"};
inline constexpr S3Error InternalFailure{"InternalFailure", 500, "The request processing has failed because of an unknown error."};
inline constexpr S3Error ServiceUnavailable{"ServiceUnavailable", 503, "The service is unavailable. Please try again later."};

// The STS error for an S3 refusal of a step the endpoint shares with S3 requests.
inline const S3Error& from_s3(const S3Error& e) {
  using namespace s3p::errors;
  if (&e == &InvalidAccessKeyId || &e == &InvalidToken) return InvalidClientTokenId;
  if (&e == &s3p::errors::ExpiredToken) return ExpiredToken;
  if (&e == &s3p::errors::SignatureDoesNotMatch) return SignatureDoesNotMatch;
  if (&e == &RequestTimeTooSkewed || &e == &RequestExpired || &e == &RequestNotYetValid) return SignatureExpired;
  if (e.status == 503) return ServiceUnavailable;
  if (e.status >= 500) return InternalFailure;
  return IncompleteSignature;
}

}  // namespace s3p::sts::errors
