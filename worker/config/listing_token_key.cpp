#include "worker/config/listing_token_key.h"

#include <cstdint>

#include "worker/config/json_fields.h"

namespace s3p {
namespace {

// Each purpose gets its own label, so a key made here never equals one used for anything else.
constexpr std::string_view kFromSecret = "s3-edge-proxy listing tokens v1: configured";
constexpr std::string_view kFromConfigSecrets = "s3-edge-proxy listing tokens v1: derived";
constexpr std::string_view kPerCore = "s3-edge-proxy listing tokens v1: per core";

void put_field(std::string& out, std::string_view field) {
  const uint32_t n = static_cast<uint32_t>(field.size());
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((n >> shift) & 0xFF);
  out.append(field);
}

constexpr std::string_view kObjectCacheNames = "s3-edge-proxy object cache entry names v1";

// HKDF-extract style: HMAC(label, input keying material); then the SIV's two keys from that, and (for a key every
// isolate shares) the object cache's naming key.
void set_keys(Config& cfg, std::string_view label, std::string_view material, Config::TokenKeySource source) {
  const crypto::Digest root = crypto::hmac_sha256(label, material);
  cfg.listing_token_keys = crypto::siv_keys(crypto::as_view(root));
  cfg.listing_token_key_source = source;
  cfg.object_cache_name_key.clear();
  if (source != Config::TokenKeySource::PerCore)
    cfg.object_cache_name_key = std::string(crypto::as_view(crypto::hmac_sha256(crypto::as_view(root), kObjectCacheNames)));
}

}  // namespace

bool load_listing_token_key(const json::Value& root, const Env& env, Config& cfg, std::string& error) {
  std::string name;
  if (!config_fields::get_string(root, "listing_token_key_secret", "config", false, name, error)) return false;
  if (!name.empty()) {
    auto v = env.find(name);
    if (v == env.end() || v->second.empty())
      return config_fields::fail(error, "listing_token_key_secret", "Worker secret \"" + name + "\" is not set");
    if (v->second.size() < kMinListingTokenKeySize)
      return config_fields::fail(error, "listing_token_key_secret",
                                 "Worker secret \"" + name + "\" must hold at least 32 bytes (e.g. openssl rand -base64 32)");
    set_keys(cfg, kFromSecret, v->second, Config::TokenKeySource::Secret);
    return true;
  }
  // Every secret the config holds, in a fixed order (keys sorted by id, backends by name) with their names, so
  // that every isolate loading this config derives the same key.
  std::string material;
  for (const AccessKey& k : cfg.access_keys) {
    put_field(material, k.id);
    put_field(material, k.secret);
  }
  for (const auto& [backend_name, b] : cfg.backends) {
    if (b->auth != BackendAuth::Static && b->auth != BackendAuth::SharedKey) continue;
    put_field(material, backend_name);
    put_field(material, b->auth == BackendAuth::Static ? b->secret_access_key : b->account_key);
  }
  // A registry's deployment key (a registry-only S3P_CONFIG may hold no other secret).
  if (cfg.registry.enabled) {
    put_field(material, "registry.key_secret");
    put_field(material, cfg.registry.key_material);
  }
  // A federation-only config holds no other secret, and the core never sees the L2 key itself (the host keeps it
  // for WebCrypto): the host hands over a key it derived from it for this purpose alone.
  if (cfg.federation.enabled)
    if (auto d = env.find(kHostDerivedNamesKey); d != env.end() && !d->second.empty()) {
      put_field(material, kHostDerivedNamesKey);
      put_field(material, d->second);
    }
  if (!material.empty()) set_keys(cfg, kFromConfigSecrets, material, Config::TokenKeySource::Derived);
  return true;
}

void use_per_core_listing_token_key(Config& cfg, std::string_view random_seed) {
  set_keys(cfg, kPerCore, random_seed, Config::TokenKeySource::PerCore);
}

}  // namespace s3p
