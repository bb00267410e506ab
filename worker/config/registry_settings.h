// The namespace registry's settings (S3P_CONFIG "registry"): where accounts, access keys and roles are looked up per
// request when S3P_CONFIG does not name them (Workers KV through a binding, or an HTTP registry API), how long an
// answer is trusted, and the deployment key access keys' secrets derive from — the registry stores no secret at all.
//
//   "registry": {"kv_binding": "REGISTRY", "key_secret": "REGISTRY_KEY", "entry_ttl_s": 60, "negative_ttl_s": 10,
//                "listing_ttl_s": 60, "stale_s": 600, "timeout_ms": 2000}
// or, for an HTTP registry API instead of KV (README "Registry": the contract):
//   "registry": {"api_url": "https://catalog.example/s3p-registry/", "api_token_secret": "REGISTRY_API_TOKEN", ...}
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "worker/http/json.h"

#include "worker/config/config.h"

namespace s3p {

// Entry names in the registry (the KV keys).
inline constexpr std::string_view kAccountEntryPrefix = "v1/account/";
inline constexpr std::string_view kKeyEntryPrefix = "v1/key/";
inline constexpr std::string_view kRoleEntryPrefix = "v1/role/";  // an STS role (config/roles.h)
inline constexpr std::string_view kIdpEntryPrefix = "v1/idp/";    // an STS identity provider (config/identity_providers.h)
inline constexpr std::string_view kAccountListEntry = "v1/index/accounts";
inline constexpr size_t kMinRegistryKeySize = 32;

bool load_registry_settings(const json::Value& root, const Env& env, RegistrySettings& out, std::string& error);

// An access key's secret: base64url (no padding) of HMAC-SHA256(deployment key, "s3-edge-proxy access key secret
// v1" 0x00 id 0x00 generation 0x00 nonce). The entry's random nonce makes a key created again under a revoked id
// another key; a new generation (with a new nonce) voids the old secret; a new deployment key voids them all.
std::string derive_key_secret(std::string_view deployment_key, std::string_view id, uint32_t generation,
                              std::string_view nonce);

// Every registry value is sealed by the deployment key, so that write access to the KV namespace alone (a
// permission apart from holding the key) cannot make the proxy trust an entry:
//   "v1." base64url(HMAC-SHA256(E, name "\n" body)) "\n" body,   E = HMAC-SHA256(K, "s3-edge-proxy registry entries v1")
// True with `body` set when the seal verifies for this name (constant-time); false otherwise.
bool open_sealed_entry(const RegistrySettings& registry, std::string_view name, std::string_view value,
                       std::string_view& body);
// The sealed form (what ./scripts/registry writes; tests).
std::string seal_entry(std::string_view deployment_key, std::string_view name, std::string_view body);

}  // namespace s3p
