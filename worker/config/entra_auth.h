// Azure backends' credentials beyond Shared Key (issue 17 item 2):
//
// "auth": {"type": "sas", "sas_token_secret": "NAME"}: a Worker secret holding a service or account SAS (its query
// string, "sv=…&sp=…&se=…&sr=…&sig=…", with or without a leading '?'). The SAS never enters the core: js/init.mjs
// hands the core a stand-in that only says whether the secret is a SAS, and the host appends the secret's value to
// each request's URL (FetchAction::url_secret). Requests are not otherwise signed.
//
// "auth": {"type": "entra_workload_identity", "tenant_id", "client_id", "subject", ...}: Microsoft Entra workload
// identity federation. The proxy's own OIDC token (minted as for AWS federation: iss = the federation issuer, sub =
// `subject`, aud = `token_audience`, default api://AzureADTokenExchange) is the client assertion of an OAuth 2.0
// client credentials request to {authority}/{tenant_id}/oauth2/v2.0/token for `scope` (default
// https://storage.azure.com/.default); the access token goes as "Authorization: Bearer" through the same L1/L2
// tiers as STS credentials (creds/entra_source.h).
#pragma once
#include <cstdint>
#include <string>

#include "worker/http/json.h"

namespace s3p {

struct EntraWorkloadIdentityAuth {
  std::string tenant_id;   // a GUID or a verified domain name (contoso.onmicrosoft.com)
  std::string client_id;   // the application (client) id: a GUID
  std::string subject;     // the JWT's sub: what the app's federated identity credential names
  std::string token_audience = "api://AzureADTokenExchange";  // the JWT's aud: the federated credential's audience
  std::string scope = "https://storage.azure.com/.default";
  std::string authority = "https://login.microsoftonline.com";  // no trailing '/'
  std::string token_url;   // {authority}/{tenant_id}/oauth2/v2.0/token, built at load
  uint32_t timeout_ms = 10000;
};

// Returns false with `error` naming the field (`field` is "backends.NAME.auth").
bool load_entra_workload_identity(const json::Value& auth, const std::string& field, EntraWorkloadIdentityAuth& out,
                                  std::string& error);

// What js/init.mjs hands the core for a `sas_token_secret` that holds a SAS (the SAS itself stays with the host).
inline constexpr const char* kSasHeldByHost = "(a SAS, held by the host)";
// Why `value` (a sas_token_secret's value as the core gets it) is not a SAS ("" = it is): the host's stand-in, or,
// where no host stands in (native tests), the query string itself: '&'-separated name=value pairs of URL-safe
// characters with sv, sig and se (or an account SAS's ss/srt; a SAS bound to a stored access policy may lack se).
std::string sas_problem(const std::string& value);

}  // namespace s3p
