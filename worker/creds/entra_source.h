// Microsoft Entra workload identity federation as a CredentialSource (creds/credential_source.h), so it goes through
// the same L1 / L2 tiers, single flight and refresh-ahead as AWS STS and GCP:
//   POST {authority}/{tenant_id}/oauth2/v2.0/token, a form (OAuth 2.0 client credentials with a client assertion):
//     client_id={the app's id}, scope={resource}/.default, grant_type=client_credentials,
//     client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer,
//     client_assertion={the proxy's JWT: iss = its issuer, sub = `subject`, aud = `token_audience`}
//   → 200 {"token_type": "Bearer", "expires_in": N, "ext_expires_in": N, "access_token": "…"}
//     or 400/401 {"error": "invalid_client" | "invalid_grant" | "invalid_request" | "unauthorized_client" | …,
//                 "error_description": "AADSTS…: …", "error_codes": [...], …}
// The token travels in sigv4::Credentials::session_token (the tiers' credential type) and reaches the Azure dialect
// as BackendCredentials::bearer_token. L2 stores "entra-token/1\n{expires ms}\n{token}" sealed (expires_in is
// relative, so the raw answer could not be re-read later).
// Outcomes: transport / timeout / 5xx / 429 → 503; any refusal or unreadable answer → 502 (the exchange as configured
// does not work: a config fault); the log gets Entra's error and the start of its description (AADSTS code), never
// a token or the assertion.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "worker/config/entra_auth.h"
#include "worker/creds/credential_source.h"

namespace s3p {

std::unique_ptr<CredentialSource> entra_source(const EntraWorkloadIdentityAuth& auth);

// The pieces, for unit tests.
std::string entra_l1_key(const EntraWorkloadIdentityAuth& auth);
std::string entra_token_form(const EntraWorkloadIdentityAuth& auth, std::string_view assertion);
FetchAction entra_token_fetch(const EntraWorkloadIdentityAuth& auth, std::string_view assertion);
bool entra_outcome(const FetchResult& r, double now_ms, StsResponse& out, FlightFailure& failure);
std::string entra_l2_document(const StsResponse& got);
StsResponse entra_parse_l2(std::string_view document);

}  // namespace s3p
