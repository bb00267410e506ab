// The key that seals listing continuation tokens: "listing_token_key_secret": "WORKER_SECRET_NAME" (any text of
// at least 32 bytes). Without it, a key derived from the secrets the config already holds (access keys, static
// backend keys, federation's L2 key), so that every isolate of a deployment agrees on it without another secret to
// manage. The object cache's entry names are keyed from the same root.
#pragma once
#include <string>

#include "worker/http/json.h"

#include "worker/config/config.h"

namespace s3p {

inline constexpr size_t kMinListingTokenKeySize = 32;

// The env entry js/init.mjs adds when federation's L2 key is set: base64 of HMAC-SHA256(L2 key, "s3-edge-proxy
// object cache entry names v1"), a key for naming only, so that the L2 key itself never enters the core.
inline constexpr std::string_view kHostDerivedNamesKey = "S3P_HOST_DERIVED_NAMES_KEY";

// Call after the backends and access keys are loaded. Leaves the source None when the config holds no secret at
// all (Engine::init then gives the core a random key: use_per_core_listing_token_key).
bool load_listing_token_key(const json::Value& root, const Env& env, Config& cfg, std::string& error);

// A key from host-supplied randomness, for configs without secrets.
void use_per_core_listing_token_key(Config& cfg, std::string_view random_seed);

}  // namespace s3p
