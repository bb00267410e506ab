#include "worker/auth/session.h"

#include "worker/config/roles.h"
#include "worker/crypto/base64.h"
#include "worker/crypto/sha256.h"
#include "worker/http/headers.h"
#include "worker/http/json.h"
#include "worker/http/json_escape.h"

namespace s3p::auth {
namespace {

constexpr std::string_view kTokenPrefix = "S3P1";
constexpr std::string_view kRoleArnPrefix = "arn:aws:iam::s3-edge-proxy:role/";
constexpr size_t kMaxScopes = 64;

bool name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '+' ||
         c == '=' || c == ',' || c == '.' || c == '@' || c == '-';
}

// The narrower of two scopes, if they overlap: same account, one repository within the other ("*" covers all),
// one prefix a prefix of the other (keys under both are keys under the longer), permissions both grant.
bool meet(const Scope& a, const Scope& b, Scope& out) {
  if (a.account != b.account) return false;
  if (a.repository != b.repository && a.repository != "*" && b.repository != "*") return false;
  if (!starts_with(a.prefix, b.prefix) && !starts_with(b.prefix, a.prefix)) return false;
  out.account = a.account;
  out.repository = a.repository == "*" ? b.repository : a.repository;
  out.prefix = a.prefix.size() >= b.prefix.size() ? a.prefix : b.prefix;
  out.permissions = a.permissions & b.permissions;
  return out.permissions != 0;
}

}  // namespace

std::string role_arn(std::string_view role) { return std::string(kRoleArnPrefix) + std::string(role); }

std::string assumed_role_arn(std::string_view role, std::string_view session_name) {
  return "arn:aws:sts::" + std::string(kStsAccount) + ":assumed-role/" + std::string(role) + "/" +
         std::string(session_name);
}

std::string role_id(std::string_view role) {
  static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const crypto::Digest d = crypto::sha256("s3-edge-proxy role id\n" + std::string(role));
  std::string id = "AROA";
  for (int i = 0; i < 17; ++i) id += digits[d[i] & 31];
  return id;
}

bool parse_role_arn(std::string_view arn, std::string& role) {
  if (arn.substr(0, kRoleArnPrefix.size()) != kRoleArnPrefix) return false;
  const std::string_view name = arn.substr(kRoleArnPrefix.size());
  if (!valid_role_name(name)) return false;
  role = std::string(name);
  return true;
}

bool valid_session_name(std::string_view name) {
  if (name.size() < 2 || name.size() > 64) return false;
  for (char c : name)
    if (!name_char(c)) return false;
  return true;
}

bool make_credentials(std::string_view random, std::string& access_key_id, std::string& secret) {
  if (random.size() < kCredentialRandomBytes) return false;
  static const char base32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  access_key_id = "ASIA";
  for (size_t i = 0; i < 16; ++i) access_key_id += base32[static_cast<uint8_t>(random[i]) & 31];
  secret = b64::encode(random.substr(16, 30));  // 30 bytes: 40 characters, no padding
  return true;
}

bool is_session_key_id(std::string_view id) {
  if (id.size() != 20 || id.substr(0, 4) != "ASIA") return false;
  for (char c : id.substr(4))
    if (!((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7'))) return false;
  return true;
}

std::string token_text(std::string_view sealed) { return std::string(kTokenPrefix) + b64::encode_url(sealed); }

bool is_our_token(std::string_view token) { return token.substr(0, kTokenPrefix.size()) == kTokenPrefix; }

bool token_sealed(std::string_view token, std::string& sealed) {
  if (token.size() > kMaxTokenBytes || token.substr(0, kTokenPrefix.size()) != kTokenPrefix) return false;
  // IV (12) + tag (16) at least.
  return b64::decode_url(token.substr(kTokenPrefix.size()), sealed) && sealed.size() >= 28;
}

std::string token_aad(std::string_view access_key_id) {
  return "s3-edge-proxy sts session token v1\n" + std::string(access_key_id);
}

std::string session_plaintext(const Session& s) {
  std::string out = "{\"v\":1";
  const auto str = [&](const char* name, std::string_view v) {
    out.append(",\"").append(name).append("\":\"");
    append_json_escaped(out, v);
    out.push_back('"');
  };
  str("k", s.access_key_id);
  str("s", s.secret);
  str("r", s.role);
  str("n", s.session_name);
  str("src", s.source_key);
  if (!s.provider.empty()) {
    str("idp", s.provider);
    str("sub", s.subject);
  }
  out.append(",\"iat\":").append(std::to_string(s.issued_s));
  out.append(",\"exp\":").append(std::to_string(s.expires_s));
  out.append(",\"sc\":[");
  for (size_t i = 0; i < s.scopes.size(); ++i) {
    const Scope& sc = s.scopes[i];
    out.append(i ? ",[\"" : "[\"");
    append_json_escaped(out, sc.account);
    out.append("\",\"");
    append_json_escaped(out, sc.repository);
    out.append("\",\"");
    append_json_escaped(out, sc.prefix);
    out.append("\",").append(std::to_string(static_cast<unsigned>(sc.permissions))).push_back(']');
  }
  out.append("]}");
  return out;
}

bool parse_session_plaintext(std::string_view text, Session& out) {
  const auto j = json::parse(text);
  if (j.is_discarded() || !j.is_object()) return false;
  auto str = [&](const char* k, std::string& v) {
    auto it = j.find(k);
    if (it == j.end() || !it->is_string()) return false;
    v = it->get<std::string>();
    return true;
  };
  auto num = [&](const char* k, int64_t& v) {
    auto it = j.find(k);
    if (it == j.end() || !it->is_number_integer()) return false;
    v = it->get<int64_t>();
    return true;
  };
  int64_t version = 0;
  Session s;
  if (!num("v", version) || version != 1) return false;
  if (!str("k", s.access_key_id) || !str("s", s.secret) || !str("r", s.role) || !str("n", s.session_name) ||
      !str("src", s.source_key) || !num("iat", s.issued_s) || !num("exp", s.expires_s))
    return false;
  if (j.contains("idp") && (!str("idp", s.provider) || !str("sub", s.subject))) return false;
  // A key's session names its source key; a web identity's names its provider and subject instead.
  const bool from_key = s.provider.empty() && valid_key_id(s.source_key);
  const bool from_web = s.source_key.empty() && valid_idp_name(s.provider) && !s.subject.empty() && s.subject.size() <= 1024;
  if (!is_session_key_id(s.access_key_id) || s.secret.size() != 40 || !valid_role_name(s.role) ||
      !valid_session_name(s.session_name) || !(from_key || from_web) || s.expires_s <= s.issued_s)
    return false;
  auto sc = j.find("sc");
  if (sc == j.end() || !sc->is_array() || sc->size() > kMaxScopes) return false;
  for (const auto& e : *sc) {
    if (!e.is_array() || e.size() != 4 || !e[0].is_string() || !e[1].is_string() || !e[2].is_string() ||
        !e[3].is_number_unsigned() || e[3].get<uint64_t>() == 0 || e[3].get<uint64_t>() > 15)
      return false;
    s.scopes.push_back(Scope{e[0].get<std::string>(), e[1].get<std::string>(), e[2].get<std::string>(),
                             static_cast<uint8_t>(e[3].get<uint64_t>())});
  }
  out = std::move(s);
  return true;
}

const std::string* session_token(const Headers& headers, const std::vector<http::QueryParam>& params) {
  if (const std::string* h = find_header(headers, "x-amz-security-token")) return h;
  // SigV4 presigned URLs carry X-Amz-Security-Token; SigV2 ones (boto's presigner, aws cli v1's `s3 presign`)
  // x-amz-security-token, which their signature covers as a header (sigv2_verify.cpp).
  for (const auto& p : params)
    if (p.name == "X-Amz-Security-Token" || p.name == "x-amz-security-token") return &p.value;
  return nullptr;
}

std::vector<Scope> intersect_scopes(const std::vector<Scope>& a, const std::vector<Scope>& b) {
  std::vector<Scope> out;
  for (const Scope& x : a)
    for (const Scope& y : b)
      if (Scope m; meet(x, y, m) && out.size() < kMaxScopes) out.push_back(std::move(m));
  return out;
}

const S3Error* admit(const Session& s, const Namespace& ns, int64_t now_s, std::shared_ptr<const KeyEntry>& out,
                     std::string& detail) {
  if (now_s >= s.expires_s) {
    detail = "session expired " + std::to_string(now_s - s.expires_s) + " s ago";
    return &errors::ExpiredToken;
  }
  const Role* role = ns.find_role(s.role);
  if (!role) return detail = "session's role no longer exists or is disabled", &errors::InvalidToken;
  if (ns.config().find_key(s.access_key_id)) return detail = "session key id is a static key's", &errors::InvalidToken;
  std::vector<Scope> scopes;
  if (!s.provider.empty()) {  // a web identity's session: its role's trust in the provider and the subject
    if (!role->trusts_provider(s.provider))
      return detail = "session's role no longer trusts identity provider " + s.provider, &errors::InvalidToken;
    if (role->revoked(s.subject)) return detail = "session's subject is revoked by its role", &errors::InvalidToken;
    scopes = intersect_scopes(s.scopes, role->scopes);
  } else {  // a key's session: the role's trust in the key, and the key itself
    if (!role->trusts(s.source_key)) return detail = "session's role no longer trusts its source key", &errors::InvalidToken;
    const AccessKey* source = ns.find_key(s.source_key);
    if (!source) return detail = "session's source key is unknown, disabled or expired", &errors::InvalidToken;
    scopes = intersect_scopes(s.scopes, intersect_scopes(role->scopes, source->scopes));
  }
  auto entry = std::make_shared<KeyEntry>();
  entry->key.id = s.access_key_id;
  entry->key.secret = s.secret;
  entry->key.scopes = std::move(scopes);
  out = std::move(entry);
  return nullptr;
}

}  // namespace s3p::auth
