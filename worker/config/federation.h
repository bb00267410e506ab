// Web-identity federation settings: the proxy as its own OIDC provider, the STS it exchanges tokens at, and the
// L2 (colo cache) encryption key. Parsed from the config's "federation" object; backends opt in with
// "auth": {"type": "web_identity", "role_arn": ..., "subject": ...} or {"type": "assume_role", ...} (which uses the
// section's STS endpoint, timeout and L2 key, not its OIDC provider).
//
// Key material stays in Worker secrets: the config names them and the host reads them for WebCrypto. The core only
// checks at load that they are present and well-formed, and derives the public JWKs from the signing keys.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "worker/http/json.h"

namespace s3p {

struct FederationSettings {
  bool enabled = false;
  std::string issuer;  // https URL without a trailing '/' (http only for localhost / 127.0.0.1)
  std::string audience = "sts.amazonaws.com";
  std::string signing_key_secret, kid;                    // active key: Worker secret name (PKCS#8 PEM), key id
  std::string previous_signing_key_secret, previous_kid;  // optional, published in the JWKS during rotation
  uint32_t token_lifetime_seconds = 300;
  std::string sts_url;  // where the AssumeRoleWithWebIdentity form is POSTed
  uint32_t sts_timeout_ms = 10000;
  std::string l2_key_secret;  // Worker secret name: base64 of a 32-byte AES-256-GCM key
  // Built at load: the documents served under the issuer's /.well-known/, and their request paths. OIDC
  // discovery fetches {issuer}/.well-known/openid-configuration, so an issuer with a path ("https://h/oidc") serves
  // them under that path ("/oidc/.well-known/...").
  std::string jwks_json;
  std::string openid_configuration_json;
  std::string openid_configuration_path;  // e.g. "/.well-known/openid-configuration"
  std::string jwks_path;                  // e.g. "/.well-known/jwks.json" (the jwks_uri's path)
};

struct WebIdentityAuth {
  std::string role_arn;
  std::string subject;       // the JWT's sub claim
  std::string session_name;  // RoleSessionName, already sanitized (default: the sanitized subject)
  uint32_t duration_seconds = 0;  // DurationSeconds, 900..43200; 0 = not sent (STS default, one hour)
};

// "auth": {"type": "assume_role", ...}: STS AssumeRole signed (SigV4, service "sts") with base keys held in Worker
// secrets — or with a web-identity session (role chaining) —, at the federation section's sts_endpoint; the answer
// goes through the same L1/L2 tiers.
struct AssumeRoleAuth {
  std::string role_arn;
  std::string session_name;  // RoleSessionName, already sanitized (default: "s3-edge-proxy-" + the backend's name)
  std::string external_id;   // ExternalId, 2..1224 of [\w+=,.@:/-]; "" = not sent
  uint32_t duration_seconds = 3600;  // DurationSeconds, 900..43200 (always sent)
  std::string sts_region = "us-east-1";  // the region the STS request is signed for
  std::string access_key_id, secret_access_key;  // the base keys (resolved Worker secrets); empty when chained
  // Role chaining ("source": {"type": "web_identity", ...} instead of base keys): the AssumeRole call is signed with
  // the session of a web-identity exchange first. AWS caps a chained session at one hour (duration_s ≤ 3600).
  std::optional<WebIdentityAuth> source;
};

// All return false with `error` naming the field; `env` holds the Worker's secrets.
bool load_federation_settings(const json::Value& root, const std::map<std::string, std::string, std::less<>>& env,
                              FederationSettings& out, std::string& error);
bool load_web_identity(const json::Value& auth, const std::string& field, WebIdentityAuth& out, std::string& error);
// `backend`: the backend's name (the default session name).
bool load_assume_role(const json::Value& auth, const std::string& field, const std::string& backend,
                      const std::map<std::string, std::string, std::less<>>& env, AssumeRoleAuth& out,
                      std::string& error);

}  // namespace s3p
