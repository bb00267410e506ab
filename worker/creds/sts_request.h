// The AssumeRoleWithWebIdentity call: an unsigned form POST (the JWT is the authentication), and the mapping of
// its outcome to what a client sees. Details (STS codes and messages, transport errors) go to the log only.
#pragma once
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

// Classifies the fetch result. On success fills `response` (Kind::Credentials with a usable Expiration) and
// returns true; otherwise fills `failure`: timeout/transport → 503 ServiceUnavailable, STS AccessDenied → 403
// AccessDenied, any other error document, garbage or credentials without a usable Expiration → 502.
bool sts_outcome(const FetchResult& r, StsResponse& response, FlightFailure& failure);

}  // namespace s3p
