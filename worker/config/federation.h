// Web-identity federation settings: the proxy as its own OIDC provider, the STS it exchanges tokens at, and the
// L2 (colo cache) encryption key. Parsed from the config's "federation" object; backends opt in with
// "auth": {"type": "web_identity", ...}.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace s3p {

struct Backend;
struct FederationSettings {
  bool enabled = false;
  // Filled in by the federation work (issue: credential federation).
};

struct WebIdentityAuth {
  std::string role_arn;
  std::string subject;
  std::string session_name;
  uint32_t duration_seconds = 3600;
};

// Both return false with `error` naming the field; `env` holds the Worker's secrets.
bool load_federation_settings(const nlohmann::json& root, const std::map<std::string, std::string, std::less<>>& env,
                              FederationSettings& out, std::string& error);
bool load_web_identity(const nlohmann::json& auth, const std::string& field, WebIdentityAuth& out, std::string& error);

}  // namespace s3p
