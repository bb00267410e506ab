#include "worker/config/backend_identity.h"

namespace s3p {

std::string backend_principal(const Backend& b) {
  switch (b.auth) {
    case BackendAuth::Anonymous: return "anonymous";
    case BackendAuth::Static: return "static " + b.access_key_id;
    case BackendAuth::WebIdentity: return "role " + b.web_identity.role_arn + " " + b.web_identity.subject;
    // The role's session as these base keys assume it (the ExternalId only gates the exchange).
    case BackendAuth::AssumeRole:
      return "assume_role " + b.assume_role.role_arn + " " + b.assume_role.session_name + " " +
             (b.assume_role.source ? "via role " + b.assume_role.source->role_arn + " " + b.assume_role.source->subject
                                   : b.assume_role.access_key_id);
    case BackendAuth::SharedKey: return "shared_key " + b.account;
    // Two SAS secrets may grant different permissions: each is its own principal (by the secret's name).
    case BackendAuth::Sas: return "sas " + b.account + " " + b.sas_secret;
    case BackendAuth::EntraWorkloadIdentity:
      return "entra " + b.entra.token_url + " " + b.entra.client_id + " " + b.entra.subject + " " + b.entra.scope;
    // The token is the service account's (or the federated subject's, without impersonation).
    case BackendAuth::GcpWorkloadIdentity:
      return "gcp " + b.gcp.audience + " " + b.gcp.subject + " " + b.gcp.service_account + " " + b.gcp.scope;
  }
  return "unknown";
}

bool same_location(const Backend& a, const Backend& b) {
  return a.dialect == b.dialect && a.scheme == b.scheme && a.authority == b.authority && a.base_path == b.base_path &&
         a.bucket == b.bucket;
}

bool same_endpoint_and_principal(const Backend& a, const Backend& b) {
  return a.dialect == b.dialect && a.scheme == b.scheme && a.authority == b.authority && a.region == b.region &&
         a.base_path == b.base_path &&
         backend_principal(a) == backend_principal(b);
}

}  // namespace s3p
