// Loading the "access_keys" section: {"ID": {"secret_access_key_secret": "WORKER_SECRET_NAME",
//   "scopes": [{"account": "a", "repository": "r" | "*", "prefix": "p/", "actions": ["read", "list", ...]}]}}
#pragma once
#include <string>
#include <vector>

#include "worker/http/json.h"

#include "worker/config/config.h"

namespace s3p {

// AWS access key ids are word characters (3-128 of A-Z a-z 0-9 _); ':' would break SigV2's "AWS id:signature".
bool valid_key_id(std::string_view id);

// `cfg` must already hold the accounts (scopes are checked against them). On success `out` is sorted by id.
// `registry_accounts`: scopes may also name accounts S3P_CONFIG does not hold (the registry's).
bool load_access_keys(const json::Value& root, const Env& env, const Config* cfg, bool registry_accounts,
                      std::vector<AccessKey>& out, std::string& error);

// A "scopes" array (access keys', roles'): `cfg` as above; `registry_accounts`: accounts S3P_CONFIG does not hold
// are taken as the registry's (checked when used).
bool load_scopes(const json::Value& scopes, const std::string& field, const Config* cfg, bool registry_accounts,
                 std::vector<Scope>& out, std::string& error);

// A registry key entry: {"scopes": [...], "generation": N, "disabled": bool, "expires": "ISO 8601"}. Scopes name
// accounts by name only (each account is an entry of its own). The secret is derived from the deployment key.
struct KeyEntry {
  AccessKey key;
  bool disabled = false;
  int64_t expires_s = 0;  // unix seconds; 0: never
};
bool load_key_entry(std::string_view id, std::string_view json_text, const RegistrySettings& registry, KeyEntry& out,
                    std::string& error);

}  // namespace s3p
