#include "worker/config/access_keys.h"

#include <algorithm>

#include "worker/config/json_fields.h"
#include "worker/config/registry_settings.h"
#include "worker/rules/iso8601.h"
#include "worker/util/sort.h"

namespace s3p {
namespace {

using config_fields::fail;
using config_fields::get_string;

}  // namespace

bool valid_key_id(std::string_view id) {
  if (id.size() < 3 || id.size() > 128) return false;
  for (char c : id)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

namespace {

bool parse_permission(std::string_view name, uint8_t& out) {
  if (name == "read") out |= kPermRead;
  else if (name == "list") out |= kPermList;
  else if (name == "write") out |= kPermWrite;
  else if (name == "delete") out |= kPermDelete;
  else return false;
  return true;
}

// `cfg` null: a registry key, whose accounts are entries of their own (a scope naming none grants nothing).
bool load_scope(const json::Value& j, const std::string& field, const Config* cfg, Scope& s, std::string& error) {
  if (!j.is_object()) return fail(error, field, "must be an object");
  if (!get_string(j, "account", field, true, s.account, error)) return false;
  const Account* account = cfg ? cfg->find(s.account) : nullptr;
  if (cfg && !account) return fail(error, field + ".account", "unknown account \"" + s.account + "\"");
  const bool flat = account && account->flat;
  s.repository = flat || !cfg ? "*" : "";
  if (!get_string(j, "repository", field, cfg && !flat, s.repository, error)) return false;
  if (account && s.repository != "*" && !account->find(s.repository))
    return fail(error, field + ".repository", "unknown repository \"" + s.repository + "\" (or \"*\")");
  if (s.repository.empty()) return fail(error, field + ".repository", "must not be empty");
  if (!get_string(j, "prefix", field, false, s.prefix, error)) return false;
  if (!s.prefix.empty() && s.prefix.front() == '/') return fail(error, field + ".prefix", "must not start with '/'");
  auto actions = j.find("actions");
  if (actions == j.end() || !actions->is_array() || actions->empty())
    return fail(error, field + ".actions", "must be a non-empty array of \"read\", \"list\", \"write\", \"delete\"");
  for (const auto& a : *actions)
    if (!a.is_string() || !parse_permission(a.get<std::string>(), s.permissions))
      return fail(error, field + ".actions", "must be a non-empty array of \"read\", \"list\", \"write\", \"delete\"");
  return true;
}

}  // namespace

bool load_scopes(const json::Value& scopes, const std::string& field, const Config* cfg, bool registry_accounts,
                 std::vector<Scope>& out, std::string& error) {
  if (!scopes.is_array()) return fail(error, field, "must be an array");
  for (size_t i = 0; i < scopes.size(); ++i) {
    Scope s;
    const json::Value& scope = scopes[i];
    const bool registry_account = registry_accounts && scope.is_object() && scope.contains("account") &&
                                  scope["account"].is_string() && !cfg->find(scope["account"].get<std::string>());
    if (!load_scope(scope, field + "[" + std::to_string(i) + "]", registry_account ? nullptr : cfg, s, error))
      return false;
    out.push_back(std::move(s));
  }
  return true;
}

bool load_access_keys(const json::Value& root, const Env& env, const Config* cfg, bool registry_accounts,
                      std::vector<AccessKey>& out, std::string& error) {
  out.clear();
  auto keys = root.find("access_keys");
  if (keys == root.end()) return true;
  if (!keys->is_object()) return fail(error, "access_keys", "must be an object");
  for (auto it = keys->begin(); it != keys->end(); ++it) {
    const std::string field = "access_keys." + it.key();
    if (!valid_key_id(it.key())) return fail(error, field, "access key ids are 3-128 of A-Z a-z 0-9 _");
    if (!it.value().is_object()) return fail(error, field, "must be an object");
    AccessKey key;
    key.id = it.key();
    std::string secret_name;
    if (!get_string(it.value(), "secret_access_key_secret", field, true, secret_name, error)) return false;
    auto v = env.find(secret_name);
    if (v == env.end() || v->second.empty())
      return fail(error, field + ".secret_access_key_secret", "Worker secret \"" + secret_name + "\" is not set");
    key.secret = v->second;
    auto scopes = it.value().find("scopes");
    if (scopes == it.value().end() || !scopes->is_array()) return fail(error, field + ".scopes", "must be an array");
    for (size_t i = 0; i < scopes->size(); ++i) {
      Scope s;
      const json::Value& scope = (*scopes)[i];
      const bool registry_account = registry_accounts && scope.is_object() && scope.contains("account") &&
                                    scope["account"].is_string() && !cfg->find(scope["account"].get<std::string>());
      if (!load_scope(scope, field + ".scopes[" + std::to_string(i) + "]", registry_account ? nullptr : cfg, s, error))
        return false;
      key.scopes.push_back(std::move(s));
    }
    out.push_back(std::move(key));
  }
  util::sort(out.begin(), out.end(), [](const AccessKey& a, const AccessKey& b) { return a.id < b.id; });
  return true;
}

bool load_key_entry(std::string_view id, std::string_view json_text, const RegistrySettings& registry, KeyEntry& out,
                    std::string& error) {
  const std::string field = "key " + std::string(id);
  if (!valid_key_id(id)) return fail(error, field, "access key ids are 3-128 of A-Z a-z 0-9 _");
  json::Value j = json::parse(json_text);
  if (j.is_discarded() || !j.is_object()) return fail(error, field, "is not a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it.key() != "scopes" && it.key() != "generation" && it.key() != "nonce" && it.key() != "disabled" &&
        it.key() != "expires")
      return fail(error, field + "." + it.key(), "is not a key entry field");
  KeyEntry e;
  e.key.id = std::string(id);
  uint32_t generation = 0;
  if (!config_fields::get_uint(j, "generation", field, 1, 1u << 30, generation, error)) return false;
  if (generation == 0) return fail(error, field + ".generation", "is required");
  std::string nonce;
  if (!get_string(j, "nonce", field, true, nonce, error)) return false;
  if (nonce.size() < 16 || nonce.size() > 128 ||
      nonce.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != std::string::npos)
    return fail(error, field + ".nonce", "must be 16-128 characters of A-Z a-z 0-9 - _ (random, made by the CLI)");
  if (!config_fields::get_bool(j, "disabled", field, e.disabled, error)) return false;
  std::string expires;
  if (!get_string(j, "expires", field, false, expires, error)) return false;
  int64_t expires_ms = 0;
  if (!expires.empty() && !parse_iso8601_ms(expires, expires_ms))
    return fail(error, field + ".expires", "must be an ISO 8601 UTC time such as 2027-01-31T00:00:00Z");
  e.expires_s = expires_ms / 1000;
  auto scopes = j.find("scopes");
  if (scopes == j.end() || !scopes->is_array()) return fail(error, field + ".scopes", "must be an array");
  for (size_t i = 0; i < scopes->size(); ++i) {
    Scope s;
    if (!load_scope((*scopes)[i], field + ".scopes[" + std::to_string(i) + "]", nullptr, s, error)) return false;
    e.key.scopes.push_back(std::move(s));
  }
  e.key.secret = derive_key_secret(registry.key_material, id, generation, nonce);
  out = std::move(e);
  return true;
}

}  // namespace s3p
