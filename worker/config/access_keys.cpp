#include "worker/config/access_keys.h"

#include <algorithm>

#include "worker/config/json_fields.h"

namespace s3p {
namespace {

using json = nlohmann::json;
using config_fields::fail;
using config_fields::get_string;

// AWS access key ids are word characters; ':' would break SigV2's "AWS id:signature" header.
bool valid_key_id(std::string_view id) {
  if (id.size() < 3 || id.size() > 128) return false;
  for (char c : id)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

bool parse_permission(std::string_view name, uint8_t& out) {
  if (name == "read") out |= kPermRead;
  else if (name == "list") out |= kPermList;
  else if (name == "write") out |= kPermWrite;
  else if (name == "delete") out |= kPermDelete;
  else return false;
  return true;
}

bool load_scope(const json& j, const std::string& field, const Config& cfg, Scope& s, std::string& error) {
  if (!j.is_object()) return fail(error, field, "must be an object");
  if (!get_string(j, "account", field, true, s.account, error)) return false;
  const Account* account = cfg.find(s.account);
  if (!account) return fail(error, field + ".account", "unknown account \"" + s.account + "\"");
  s.repository = account->flat ? "*" : "";
  if (!get_string(j, "repository", field, !account->flat, s.repository, error)) return false;
  if (s.repository != "*" && !account->find(s.repository))
    return fail(error, field + ".repository", "unknown repository \"" + s.repository + "\" (or \"*\")");
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

bool load_access_keys(const json& root, const Env& env, const Config& cfg, std::vector<AccessKey>& out,
                      std::string& error) {
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
    key.secret_name = secret_name;
    auto scopes = it.value().find("scopes");
    if (scopes == it.value().end() || !scopes->is_array()) return fail(error, field + ".scopes", "must be an array");
    for (size_t i = 0; i < scopes->size(); ++i) {
      Scope s;
      if (!load_scope((*scopes)[i], field + ".scopes[" + std::to_string(i) + "]", cfg, s, error)) return false;
      key.scopes.push_back(std::move(s));
    }
    out.push_back(std::move(key));
  }
  std::sort(out.begin(), out.end(), [](const AccessKey& a, const AccessKey& b) { return a.id < b.id; });
  return true;
}

}  // namespace s3p
