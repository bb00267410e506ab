// GCP workload identity federation as a CredentialSource (creds/credential_source.h), so it goes through the same
// L1 / L2 tiers, single flight and refresh-ahead as AWS STS:
//   1. POST {sts_endpoint} (Google STS, RFC 8693 token exchange), a form:
//        grant_type=urn:ietf:params:oauth:grant-type:token-exchange, audience={provider resource name},
//        scope, requested_token_type=urn:ietf:params:oauth:token-type:access_token,
//        subject_token={the proxy's JWT, aud = the provider's allowed audience},
//        subject_token_type=urn:ietf:params:oauth:token-type:jwt
//      → {"access_token", "issued_token_type", "token_type": "Bearer", "expires_in"}
//        or {"error": "invalid_grant", "error_description"}
//   2. with a service_account: POST {iam_endpoint}/v1/projects/-/serviceAccounts/{email}:generateAccessToken,
//      "Authorization: Bearer {federated token}", {"scope": [scope], "lifetime": "{lifetime_s}s"}
//      → {"accessToken", "expireTime"} or {"error": {"code", "message", "status"}}
// The token travels in sigv4::Credentials::session_token (the tiers' credential type; the key id and secret stay
// empty) and reaches the dialect as BackendCredentials::bearer_token. L2 stores "gcp-token/1\n{expires ms}\n
// {token}" sealed (the answers' expires_in is relative, so the raw answer could not be re-read later).
// Outcomes: transport / timeout / 5xx / 429 → 503; iamcredentials PERMISSION_DENIED → 403; any other refusal or
// unreadable answer → 502; the log gets Google's error code and description, never a token.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "worker/config/gcp_auth.h"
#include "worker/creds/credential_source.h"

namespace s3p {

std::unique_ptr<CredentialSource> gcp_source(const GcpWorkloadIdentityAuth& auth);

// The pieces, for unit tests.
std::string gcp_l1_key(const GcpWorkloadIdentityAuth& auth);
std::string gcp_sts_form(const GcpWorkloadIdentityAuth& auth, std::string_view token);
FetchAction gcp_sts_fetch(const GcpWorkloadIdentityAuth& auth, std::string_view token);
FetchAction gcp_impersonation_fetch(const GcpWorkloadIdentityAuth& auth, std::string_view federated_token);
// round 0: Google STS's answer; 1: generateAccessToken's.
bool gcp_outcome(int round, const FetchResult& r, double now_ms, StsResponse& out, FlightFailure& failure);
std::string gcp_l2_document(const StsResponse& got);
StsResponse gcp_parse_l2(std::string_view document);

}  // namespace s3p
