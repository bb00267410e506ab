// The namespace registry's settings (S3P_CONFIG "registry"): where accounts and access keys are looked up per
// request when S3P_CONFIG does not name them (Workers KV through a binding), how long an answer is trusted, and
// the deployment key access keys' secrets derive from — the registry stores no secret at all.
//
//   "registry": {"kv_binding": "REGISTRY", "key_secret": "REGISTRY_KEY", "entry_ttl_s": 60, "negative_ttl_s": 10,
//                "stale_s": 600, "timeout_ms": 2000}
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "worker/config/config.h"

namespace s3p {

// Entry names in the registry (the KV keys).
inline constexpr std::string_view kAccountEntryPrefix = "v1/account/";
inline constexpr std::string_view kKeyEntryPrefix = "v1/key/";
inline constexpr size_t kMinRegistryKeySize = 32;

bool load_registry_settings(const nlohmann::json& root, const Env& env, RegistrySettings& out, std::string& error);

// An access key's secret: base64url (no padding) of HMAC-SHA256(deployment key, "s3-edge-proxy access key secret
// v1" 0x00 id 0x00 generation). A new generation voids the old secret; a new deployment key voids them all.
std::string derive_key_secret(std::string_view deployment_key, std::string_view id, uint32_t generation);

}  // namespace s3p
