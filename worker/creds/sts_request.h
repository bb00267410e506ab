// The STS calls: AssumeRoleWithWebIdentity, an unsigned form POST (the JWT is the authentication); AssumeRole, a
// form POST SigV4-signed (service "sts") with the backend's base keys; and the mapping of their outcome to what a
// client sees. Details (STS codes and messages, transport errors) go to the log only.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "worker/config/federation.h"
#include "worker/creds/l1_cache.h"
#include "worker/creds/sts_response.h"
#include "worker/proto/action.h"

namespace s3p {

// Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=…&RoleSessionName=…&WebIdentityToken=…
// [&DurationSeconds=…], values percent-encoded.
std::string sts_form(const WebIdentityAuth& auth, std::string_view token);

FetchAction sts_fetch(const FederationSettings& settings, const WebIdentityAuth& auth, std::string_view token);

// Action=AssumeRole&Version=2011-06-15&RoleArn=…&RoleSessionName=…[&ExternalId=…]&DurationSeconds=…, values
// percent-encoded.
std::string assume_role_form(const AssumeRoleAuth& auth);

// The AssumeRole POST to settings.sts_url, signed at `unix_seconds` for (auth.sts_region, "sts") with `caller` (the
// base keys, or a chained session, whose token is then sent and signed as x-amz-security-token): host,
// content-type and x-amz-date signed, the payload hash of the form in the canonical request. The host header is
// signed but not sent (fetch sets it from the URL). `url` empty: the STS URL has no usable host.
FetchAction assume_role_fetch(const FederationSettings& settings, const AssumeRoleAuth& auth,
                              const sigv4::Credentials& caller, int64_t unix_seconds);

// Classifies the fetch result. On success fills `response` (Kind::Credentials with a usable Expiration) and
// returns true; otherwise fills `failure`: timeout/transport → 503 ServiceUnavailable, STS AccessDenied → 403
// AccessDenied, any other error document, garbage or credentials without a usable Expiration → 502.
bool sts_outcome(const FetchResult& r, StsResponse& response, FlightFailure& failure);

}  // namespace s3p
