// The client-facing STS's settings and roles (README "Temporary credentials (STS)"):
//   "sts":   {"session_key_secret": "WORKER_SECRET"}  base64 of 32 bytes; the host seals and opens session tokens
//            with it (AES-256-GCM, by name: the key never enters the core)
//   "roles": {"NAME": {"scopes": [...the access keys' scope language...], "max_session_s": 3600,
//                      "trusted_keys": ["KEYID", ...], "disabled": false,
//                      "web_identity": {"provider": "IDP", "conditions": {"sub": "repo:org/*", "ref": ["refs/heads/main"]}},
//                      "revoked_subjects": ["SUB", ...]}}
// A role is assumed (AssumeRole) by one of its trusted keys; the session then grants the role's scopes ∩ the
// key's. A role with `web_identity` is also assumed (AssumeRoleWithWebIdentity) with a token of that identity
// provider (config/identity_providers.h) whose claims meet every condition (a pattern, or a list of patterns any
// of which may match: rules/claim_glob.h); its session grants the role's scopes, and ends when the role is gone,
// disabled, no longer trusts that provider, or lists its subject in `revoked_subjects`. Roles live in S3P_CONFIG or in the registry (v1/role/NAME, the same fields and rules: load_role_entry),
// S3P_CONFIG's taking precedence. A disabled role is as if absent: not assumable, and its sessions are refused.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "worker/http/json.h"

#include "worker/config/access.h"
#include "worker/config/identity_providers.h"

namespace s3p {

struct StsSettings {
  bool enabled = false;
  std::string session_key_secret;  // the Worker secret's name (its value is only the host's)
  // Tests only: the least DurationSeconds AssumeRole accepts (and max_session_s may be), instead of STS's 900, so
  // that an end-to-end test sees a session expire in seconds. Never set it in a deployment.
  uint32_t min_session_s = 900;
  std::vector<IdentityProvider> identity_providers;  // sorted by name
  const IdentityProvider* find_idp(std::string_view name) const;  // null when absent or disabled
};

// Which web-identity tokens may assume a role: its provider's, with claims that meet every condition.
struct WebIdentityTrust {
  std::string provider;  // "" = the role trusts no identity provider
  // claim name → patterns (any may match); every claim must be a string claim of the token. Sorted by claim.
  std::vector<std::pair<std::string, std::vector<std::string>>> conditions;
};

struct Role {
  std::string name;
  std::vector<Scope> scopes;
  uint32_t max_session_s = 3600;
  std::vector<std::string> trusted_keys;  // access key ids (static or registry) that may assume it; sorted
  bool disabled = false;
  WebIdentityTrust web_identity;
  std::vector<std::string> revoked_subjects;  // web-identity subjects refused (and their sessions); sorted
  bool trusts(std::string_view key_id) const;
  bool trusts_provider(std::string_view idp) const { return !web_identity.provider.empty() && web_identity.provider == idp; }
  bool revoked(std::string_view subject) const;
};

inline constexpr uint32_t kMinSessionSeconds = 900;
inline constexpr uint32_t kMaxSessionSeconds = 43200;

// IAM role names: 1-64 of [A-Za-z0-9_+=,.@-].
bool valid_role_name(std::string_view name);

struct Config;
// Reads "sts" and "roles" (after the accounts and access keys: scopes are checked against the accounts as keys'
// are). Roles without an "sts" section are an error (nothing could seal their sessions).
// A registry role entry (v1/role/NAME): the body of S3P_CONFIG's roles.NAME, with its errors naming "role NAME.FIELD".
// Its scopes' accounts and trusted keys are not checked against anything (they are looked up per request).
bool load_role_entry(std::string_view name, std::string_view json_text, uint32_t min_session_s, Role& out,
                     std::string& error);

bool load_sts(const json::Value& root, const std::map<std::string, std::string, std::less<>>& env, Config& cfg,
              std::string& error);

}  // namespace s3p
