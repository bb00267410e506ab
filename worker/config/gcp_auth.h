// "auth": {"type": "gcp_workload_identity", ...} on a gcs backend: GCP workload identity federation. The proxy's
// own OIDC token (minted as for AWS federation, with the provider's audience) is exchanged at Google's STS for a
// federated access token, optionally traded for a service account's access token (iamcredentials
// generateAccessToken). Goes through the same L1/L2 tiers as STS credentials (creds/gcp_source.h).
#pragma once
#include <cstdint>
#include <string>

#include "worker/http/json.h"

namespace s3p {

struct GcpWorkloadIdentityAuth {
  // //iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER
  std::string audience;
  // The JWT's aud: what the provider's allowed audiences hold; Google's default is the provider's resource URL,
  // "https:" + audience.
  std::string token_audience;
  std::string subject;          // the JWT's sub claim
  std::string service_account;  // "" = use the federated token itself (no impersonation)
  std::string scope = "https://www.googleapis.com/auth/devstorage.read_write";
  std::string sts_url = "https://sts.googleapis.com/v1/token";
  std::string iam_url = "https://iamcredentials.googleapis.com";  // + /v1/projects/-/serviceAccounts/EMAIL:generateAccessToken
  uint32_t timeout_ms = 10000;    // each of the (one or two) exchange requests
  uint32_t lifetime_s = 3600;     // the service account token's lifetime (impersonation only)
};

// Why `audience` is not a workload identity provider's resource name ("" = it is).
std::string gcp_audience_problem(const std::string& audience);

// Returns false with `error` naming the field.
bool load_gcp_workload_identity(const json::Value& auth, const std::string& field, GcpWorkloadIdentityAuth& out,
                                std::string& error);

}  // namespace s3p
