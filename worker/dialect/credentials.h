// What signs a backend request, one kind per way a backend authenticates us (issue 17): SigV4 keys (static, or from
// an STS exchange), an Azure storage account's Shared Key, or a bearer token (GCP workload identity's access
// token: GCP's, or Microsoft Entra's for Azure), or an Azure SAS, which the core knows only by the name of the Worker
// secret holding it (the host appends it to the URL: FetchAction::url_secret). The request is anonymous when an operation is handed no credentials at all (a null
// pointer), never by a kind. A view: it points at keys the config or the credential tiers hold for the request's
// lifetime, and copies none.
#pragma once
#include <cstdint>
#include <string_view>

#include "worker/sign/sigv4.h"

namespace s3p {

struct BackendCredentials {
  enum class Kind : uint8_t { SigV4, SharedKey, Bearer, Sas };
  Kind kind = Kind::SigV4;
  const sigv4::Credentials* sigv4 = nullptr;  // SigV4
  std::string_view shared_key;                // SharedKey: the decoded account key (an HMAC key, never sent)
  std::string_view bearer;                    // Bearer: the access token, sent as "Authorization: Bearer …"
  std::string_view sas_secret;                // Sas: the Worker secret's name (never its value)

  static BackendCredentials keys(const sigv4::Credentials& c) {
    BackendCredentials b;
    b.sigv4 = &c;
    return b;
  }
  static BackendCredentials azure_shared_key(std::string_view decoded_key) {
    BackendCredentials b;
    b.kind = Kind::SharedKey;
    b.shared_key = decoded_key;
    return b;
  }
  static BackendCredentials bearer_token(std::string_view token) {
    BackendCredentials b;
    b.kind = Kind::Bearer;
    b.bearer = token;
    return b;
  }
  static BackendCredentials azure_sas(std::string_view secret_name) {
    BackendCredentials b;
    b.kind = Kind::Sas;
    b.sas_secret = secret_name;
    return b;
  }
};

}  // namespace s3p
