#include "worker/config/registry_settings.h"

#include "worker/config/json_fields.h"
#include "worker/crypto/base64.h"
#include "worker/crypto/sha256.h"

namespace s3p {

using config_fields::fail;
using config_fields::get_string;
using config_fields::get_uint;

namespace {

// http(s)://host[:port]/path/ — no query or fragment (an entry's name is appended), no credentials in the URL.
bool valid_api_url(std::string_view url) {
  const size_t scheme = url.substr(0, 8) == "https://" ? 8 : url.substr(0, 7) == "http://" ? 7 : 0;
  if (scheme == 0 || url.size() <= scheme || url.back() != '/') return false;
  const std::string_view authority = url.substr(scheme, url.find('/', scheme) - scheme);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return false;
  for (char c : url)
    if (c <= ' ' || c == '?' || c == '#' || c == '\\' || c == 0x7f) return false;
  return true;
}

}  // namespace

bool load_registry_settings(const json::Value& root, const Env& env, RegistrySettings& out, std::string& error) {
  auto it = root.find("registry");
  if (it == root.end()) return true;
  const std::string field = "registry";
  if (!it->is_object()) return fail(error, field, "must be an object");
  for (auto f = it->begin(); f != it->end(); ++f) {
    static constexpr std::string_view kFields[] = {"kv_binding", "api_url", "api_token_secret", "key_secret",
                                                   "entry_ttl_s", "negative_ttl_s", "listing_ttl_s", "stale_s",
                                                   "timeout_ms"};
    bool known = false;
    for (auto k : kFields) known = known || f.key() == k;
    if (!known) return fail(error, field + "." + f.key(), "is not a registry setting");
  }
  if (it->contains("api_url")) {
    if (it->contains("kv_binding")) return fail(error, field + ".api_url", "names a second source: give kv_binding or api_url");
    if (!get_string(*it, "api_url", field, true, out.api_url, error)) return false;
    if (!valid_api_url(out.api_url))
      return fail(error, field + ".api_url", "must be an http(s) URL ending in \"/\" (entries are read at api_url + name)");
    if (!get_string(*it, "api_token_secret", field, true, out.api_token_secret, error)) return false;
    auto token = env.find(out.api_token_secret);
    if (token == env.end() || token->second.empty())
      return fail(error, field + ".api_token_secret", "Worker secret \"" + out.api_token_secret + "\" is not set");
    out.source = RegistrySettings::Source::Api;
  } else {
    if (it->contains("api_token_secret")) return fail(error, field + ".api_token_secret", "needs api_url");
    if (!get_string(*it, "kv_binding", field, false, out.kv_binding, error)) return false;
    if (out.kv_binding.empty() || out.kv_binding.find_first_not_of(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
      return fail(error, field + ".kv_binding", "must be a binding name such as REGISTRY");
  }
  std::string secret;
  if (!get_string(*it, "key_secret", field, true, secret, error)) return false;
  auto v = env.find(secret);
  if (v == env.end() || v->second.empty()) return fail(error, field + ".key_secret", "Worker secret \"" + secret + "\" is not set");
  if (v->second.size() < kMinRegistryKeySize)
    return fail(error, field + ".key_secret", "Worker secret \"" + secret + "\" must hold at least 32 bytes (e.g. openssl rand -base64 32)");
  out.key_material = v->second;
  out.key_secret_name = secret;
  if (!get_uint(*it, "entry_ttl_s", field, 1, 3600, out.entry_ttl_s, error)) return false;
  if (!get_uint(*it, "negative_ttl_s", field, 1, 3600, out.negative_ttl_s, error)) return false;
  if (!get_uint(*it, "listing_ttl_s", field, 1, 3600, out.listing_ttl_s, error)) return false;
  if (!get_uint(*it, "stale_s", field, 0, 86400, out.stale_s, error)) return false;
  if (!get_uint(*it, "timeout_ms", field, 100, 60000, out.timeout_ms, error)) return false;
  out.enabled = true;
  return true;
}

std::string derive_key_secret(std::string_view deployment_key, std::string_view id, uint32_t generation,
                              std::string_view nonce) {
  std::string message = "s3-edge-proxy access key secret v1";
  message += '\0';
  message += id;
  message += '\0';
  message += std::to_string(generation);
  message += '\0';
  message += nonce;
  const crypto::Digest mac = crypto::hmac_sha256(deployment_key, message);
  return b64::encode_url(crypto::as_view(mac));
}

namespace {

constexpr std::string_view kSealPrefix = "v1.";

std::string entry_mac(std::string_view deployment_key, std::string_view name, std::string_view body) {
  const crypto::Digest e = crypto::hmac_sha256(deployment_key, "s3-edge-proxy registry entries v1");
  std::string message(name);
  message += '\n';
  message += body;
  return b64::encode_url(crypto::as_view(crypto::hmac_sha256(crypto::as_view(e), message)));
}

}  // namespace

std::string seal_entry(std::string_view deployment_key, std::string_view name, std::string_view body) {
  std::string out(kSealPrefix);
  out += entry_mac(deployment_key, name, body);
  out += '\n';
  out += body;
  return out;
}

bool open_sealed_entry(const RegistrySettings& registry, std::string_view name, std::string_view value,
                       std::string_view& body) {
  if (value.substr(0, kSealPrefix.size()) != kSealPrefix) return false;
  const size_t nl = value.find('\n');
  if (nl == std::string_view::npos) return false;
  const std::string_view mac = value.substr(kSealPrefix.size(), nl - kSealPrefix.size());
  const std::string_view rest = value.substr(nl + 1);
  if (!crypto::equal_ct(entry_mac(registry.key_material, name, rest), mac)) return false;
  body = rest;
  return true;
}

}  // namespace s3p
