// The OIDC identity providers whose tokens AssumeRoleWithWebIdentity accepts (README "Temporary credentials
// (STS)"), by name:
//   "sts": {"identity_providers": {"NAME": {"issuer": "https://token.actions.githubusercontent.com",
//                                           "audiences": ["sts.amazonaws.com"],
//                                           "jwks_url": "https://token.actions.githubusercontent.com/.well-known/jwks",
//                                           "disabled": false}}}
// or in the registry as v1/idp/NAME (the same body, sealed like every entry). A role trusts one provider by name
// (config/roles.h). The JWKS is public: fetched and cached by its URL (sts/jwks_cache.h), never sealed.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "worker/http/json.h"

namespace s3p {

struct IdentityProvider {
  std::string name;
  std::string issuer;                  // the tokens' `iss`, exactly
  std::vector<std::string> audiences;  // a token's `aud` must hold one of them
  std::string jwks_url;                // https://…, or http:// on a loopback host (tests, the local demo)
  bool disabled = false;               // as if absent: its tokens are refused
};

// Provider names: 1-64 of [A-Za-z0-9_.-].
bool valid_idp_name(std::string_view name);
// One provider's body; errors name `field` (e.g. "sts.identity_providers.gha.issuer").
bool load_identity_provider(const std::string& name, const json::Value& j, const std::string& field,
                            IdentityProvider& out, std::string& error);
// A registry entry v1/idp/NAME; errors name "idp NAME.FIELD".
bool load_idp_entry(std::string_view name, std::string_view json_text, IdentityProvider& out, std::string& error);

}  // namespace s3p
