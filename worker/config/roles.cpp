#include "worker/config/roles.h"

#include <algorithm>

#include "worker/config/access_keys.h"
#include "worker/config/config.h"
#include "worker/config/json_fields.h"
#include "worker/crypto/base64.h"
#include "worker/util/sort.h"

namespace s3p {
namespace {

using config_fields::fail;
using config_fields::get_string;
using config_fields::get_uint;

bool load_settings(const json::Value& j, const Env& env, StsSettings& out, std::string& error) {
  const std::string f = "sts";
  if (!j.is_object()) return fail(error, f, "must be an object");
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it.key() != "session_key_secret" && it.key() != "test_only_min_session_s" && it.key() != "identity_providers")
      return fail(error, f + "." + it.key(), "is not an sts field");
  if (!get_string(j, "session_key_secret", f, true, out.session_key_secret, error)) return false;
  auto v = env.find(out.session_key_secret);
  std::string raw;
  if (v == env.end() || v->second.empty())
    return fail(error, f + ".session_key_secret", "Worker secret \"" + out.session_key_secret + "\" is not set");
  if (!b64::decode(v->second, raw) || raw.size() != 32)
    return fail(error, f + ".session_key_secret",
                "Worker secret \"" + out.session_key_secret + "\" must be base64 of 32 bytes");
  if (!get_uint(j, "test_only_min_session_s", f, 1, kMinSessionSeconds, out.min_session_s, error)) return false;
  if (auto idps = j.find("identity_providers"); idps != j.end()) {
    if (!idps->is_object()) return fail(error, f + ".identity_providers", "must be an object");
    for (auto it = idps->begin(); it != idps->end(); ++it) {
      IdentityProvider p;
      if (!load_identity_provider(it.key(), it.value(), f + ".identity_providers." + it.key(), p, error)) return false;
      out.identity_providers.push_back(std::move(p));
    }
    util::sort(out.identity_providers.begin(), out.identity_providers.end(),
               [](const IdentityProvider& a, const IdentityProvider& b) { return a.name < b.name; });
  }
  out.enabled = true;
  return true;
}

bool pattern_ok(const json::Value& p) { return p.is_string() && !p.get<std::string>().empty() && p.get<std::string>().size() <= 512; }

// "web_identity": {"provider": NAME, "conditions": {CLAIM: PATTERN | [PATTERN, ...]}} and "revoked_subjects".
// Conditions are required: a role that trusted every token of a provider would trust, for GitHub, every
// repository on GitHub ("sub": "*" says so on purpose).
bool load_web_identity(const json::Value& j, const std::string& f, Role& out, std::string& error) {
  if (auto rs = j.find("revoked_subjects"); rs != j.end()) {
    if (!rs->is_array() || rs->size() > 1000) return fail(error, f + ".revoked_subjects", "must be an array of at most 1000 strings");
    for (const auto& s : *rs) {
      if (!s.is_string() || s.get<std::string>().empty()) return fail(error, f + ".revoked_subjects", "must hold non-empty strings");
      out.revoked_subjects.push_back(s.get<std::string>());
    }
    util::sort(out.revoked_subjects.begin(), out.revoked_subjects.end());
  }
  auto w = j.find("web_identity");
  if (w == j.end()) return true;
  const std::string wf = f + ".web_identity";
  if (!w->is_object()) return fail(error, wf, "must be an object");
  for (auto it = w->begin(); it != w->end(); ++it)
    if (it.key() != "provider" && it.key() != "conditions") return fail(error, wf + "." + it.key(), "is not a web_identity field");
  std::string provider;
  if (!get_string(*w, "provider", wf, true, provider, error)) return false;
  if (!valid_idp_name(provider)) return fail(error, wf + ".provider", "provider names are 1-64 of A-Z a-z 0-9 _ . -");
  auto c = w->find("conditions");
  if (c == w->end() || !c->is_object() || c->empty() || c->size() > 32)
    return fail(error, wf + ".conditions", "must be an object of 1-32 claim conditions (\"sub\": \"*\" to accept every subject)");
  for (auto it = c->begin(); it != c->end(); ++it) {
    const std::string cf = wf + ".conditions." + it.key();
    std::vector<std::string> patterns;
    if (pattern_ok(it.value())) {
      patterns.push_back(it.value().get<std::string>());
    } else if (it.value().is_array() && !it.value().empty() && it.value().size() <= 64) {
      for (const auto& p : it.value()) {
        if (!pattern_ok(p)) return fail(error, cf, "must be a pattern or an array of patterns (non-empty strings)");
        patterns.push_back(p.get<std::string>());
      }
    } else {
      return fail(error, cf, "must be a pattern or an array of 1-64 patterns (non-empty strings)");
    }
    out.web_identity.conditions.emplace_back(it.key(), std::move(patterns));
  }
  out.web_identity.provider = std::move(provider);
  return true;
}

// `cfg`: S3P_CONFIG's (its scopes' accounts and trusted keys checked against it, as far as it holds them), or null
// for a registry entry (nothing to check against: looked up per request). `f`: the field errors are named under.
bool load_role(const std::string& name, const json::Value& j, const Config* cfg, uint32_t min_session_s, Role& out,
               std::string& error, const std::string& f) {
  if (!valid_role_name(name)) return fail(error, f, "role names are 1-64 of A-Z a-z 0-9 _ + = , . @ -");
  if (!j.is_object()) return fail(error, f, "must be an object");
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it.key() != "scopes" && it.key() != "max_session_s" && it.key() != "trusted_keys" && it.key() != "disabled" &&
        it.key() != "web_identity" && it.key() != "revoked_subjects")
      return fail(error, f + "." + it.key(), "is not a role field");
  out.name = name;
  auto scopes = j.find("scopes");
  if (scopes == j.end()) return fail(error, f + ".scopes", "is required");
  // A registry entry's scopes (cfg null) name accounts checked when used, as a registry key's do.
  if (!load_scopes(*scopes, f + ".scopes", cfg, cfg && cfg->registry.enabled, out.scopes, error)) return false;
  if (!config_fields::get_bool(j, "disabled", f, out.disabled, error)) return false;
  if (!get_uint(j, "max_session_s", f, min_session_s, kMaxSessionSeconds, out.max_session_s, error)) return false;
  if (!load_web_identity(j, f, out, error)) return false;
  if (cfg && !cfg->registry.enabled && !out.web_identity.provider.empty()) {
    bool known = false;
    for (const auto& p : cfg->sts.identity_providers) known = known || p.name == out.web_identity.provider;
    if (!known) return fail(error, f + ".web_identity.provider", "unknown identity provider \"" + out.web_identity.provider + "\"");
  }
  auto trusted = j.find("trusted_keys");
  const bool web = !out.web_identity.provider.empty();
  if (trusted == j.end() && !web)
    return fail(error, f + ".trusted_keys", "is required when the role has no web_identity (nobody could assume it)");
  if (trusted != j.end() && (!trusted->is_array() || (trusted->empty() && !web)))
    return fail(error, f + ".trusted_keys", "must be a non-empty array of access key ids");
  const json::Value none;  // no trusted_keys: a null value, which has no elements
  for (const auto& k : trusted == j.end() ? none : *trusted) {
    if (!k.is_string() || !valid_key_id(k.get<std::string>()))
      return fail(error, f + ".trusted_keys", "must be a non-empty array of access key ids");
    // A registry key cannot be checked here (it is looked up per request); a static one must exist.
    if (cfg && !cfg->registry.enabled && !cfg->find_key(k.get<std::string>()))
      return fail(error, f + ".trusted_keys", "unknown access key \"" + k.get<std::string>() + "\"");
    out.trusted_keys.push_back(k.get<std::string>());
  }
  util::sort(out.trusted_keys.begin(), out.trusted_keys.end());
  return true;
}

}  // namespace

bool Role::trusts(std::string_view key_id) const {
  return std::binary_search(trusted_keys.begin(), trusted_keys.end(), key_id,
                            [](std::string_view a, std::string_view b) { return a < b; });
}

bool Role::revoked(std::string_view subject) const {
  return std::binary_search(revoked_subjects.begin(), revoked_subjects.end(), subject,
                            [](std::string_view a, std::string_view b) { return a < b; });
}

const IdentityProvider* StsSettings::find_idp(std::string_view name) const {
  auto it = std::lower_bound(identity_providers.begin(), identity_providers.end(), name,
                             [](const IdentityProvider& p, std::string_view n) { return p.name < n; });
  return it != identity_providers.end() && it->name == name && !it->disabled ? &*it : nullptr;
}

bool load_role_entry(std::string_view name, std::string_view json_text, uint32_t min_session_s, Role& out,
                     std::string& error) {
  const std::string f = "role " + std::string(name);
  const json::Value j = json::parse(json_text);
  if (j.is_discarded() || !j.is_object()) return fail(error, f, "is not a JSON object");
  Role r;
  if (!load_role(std::string(name), j, nullptr, min_session_s, r, error, f)) return false;
  out = std::move(r);
  return true;
}

bool valid_role_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '+' ||
          c == '=' || c == ',' || c == '.' || c == '@' || c == '-'))
      return false;
  return true;
}

bool load_sts(const json::Value& root, const Env& env, Config& cfg, std::string& error) {
  if (auto sts = root.find("sts"); sts != root.end())
    if (!load_settings(*sts, env, cfg.sts, error)) return false;
  auto roles = root.find("roles");
  if (roles == root.end()) return true;
  if (!roles->is_object()) return fail(error, "roles", "must be an object");
  if (!roles->empty() && !cfg.sts.enabled)
    return fail(error, "roles", "need an \"sts\" section (its session_key_secret seals the sessions)");
  for (auto it = roles->begin(); it != roles->end(); ++it) {
    Role r;
    if (!load_role(it.key(), it.value(), &cfg, cfg.sts.min_session_s, r, error, "roles." + it.key())) return false;
    cfg.roles.push_back(std::move(r));
  }
  util::sort(cfg.roles.begin(), cfg.roles.end(), [](const Role& a, const Role& b) { return a.name < b.name; });
  return true;
}

}  // namespace s3p
