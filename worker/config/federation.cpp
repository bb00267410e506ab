#include "worker/config/federation.h"

namespace s3p {

bool load_federation_settings(const nlohmann::json& root, const std::map<std::string, std::string, std::less<>>&,
                              FederationSettings& out, std::string& error) {
  out.enabled = root.contains("federation");
  if (out.enabled) error = "federation: not implemented yet";
  return !out.enabled;
}

bool load_web_identity(const nlohmann::json&, const std::string& field, WebIdentityAuth&, std::string& error) {
  error = field + ".type: web_identity is not implemented yet";
  return false;
}

}  // namespace s3p
