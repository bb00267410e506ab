#include "worker/config/federation.h"

#include "worker/config/json_fields.h"

#include "worker/crypto/base64.h"
#include "worker/http/json_escape.h"
#include "worker/rules/arn.h"
#include "worker/rules/external_id.h"
#include "worker/rules/rsa_public_key.h"
#include "worker/rules/session_name.h"

namespace s3p {
namespace {

using Env = std::map<std::string, std::string, std::less<>>;

using config_fields::fail;
using config_fields::get_string;
using config_fields::get_uint;

// http(s)://host[:port][/path], no query, fragment or userinfo; plain http only for the local machine (tests and
// ./scripts/run), since tokens and credentials travel over these URLs. Returns the URL without a trailing '/'.
bool valid_url(std::string url, std::string& out, std::string& why) {
  const bool https = url.rfind("https://", 0) == 0;
  const bool http = url.rfind("http://", 0) == 0;
  if (!https && !http) return why = "must be an https:// URL", false;
  if (url.find_first_of("?#@ \t\r\n\"\\") != std::string::npos) return why = "must not hold a query, fragment, user or spaces", false;
  // The URL is fetched (STS) or compared and published byte for byte (issuer): printable ASCII only, as fetch and
  // the identity provider's checks see it (a control byte or DEL used to load and fail only at the first request).
  for (unsigned char c : url)
    if (c < 0x21 || c > 0x7e) return why = "must be printable ASCII", false;
  const std::string rest = url.substr(https ? 8 : 7);
  const std::string host_port = rest.substr(0, rest.find('/'));
  if (host_port.empty() || host_port[0] == ':') return why = "has no host", false;
  const std::string host = host_port.substr(0, host_port.find(':'));
  if (http && host != "127.0.0.1" && host != "localhost") return why = "must be https (http only for localhost)", false;
  while (!url.empty() && url.back() == '/') url.pop_back();
  out = std::move(url);
  return true;
}

bool public_key_of(const Env& env, const std::string& field, const std::string& secret, RsaPublicKey& key,
                   std::string& error) {
  auto v = env.find(secret);
  if (v == env.end() || v->second.empty()) return fail(error, field, "Worker secret \"" + secret + "\" is not set");
  std::string why;
  if (!rsa_public_from_pkcs8_pem(v->second, key, why)) return fail(error, field, "Worker secret \"" + secret + "\" " + why);
  return true;
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  append_json_escaped(out, s);
  return out + '"';
}

}  // namespace

bool load_federation_settings(const json::Value& root, const Env& env, FederationSettings& out, std::string& error) {
  auto it = root.find("federation");
  out.enabled = it != root.end();
  if (!out.enabled) return true;
  const std::string f = "federation";
  if (!it->is_object()) return fail(error, f, "must be an object");
  const json::Value& j = *it;
  std::string why, issuer, sts;
  if (!get_string(j, "issuer", f, true, issuer, error)) return false;
  if (!valid_url(issuer, out.issuer, why)) return fail(error, f + ".issuer", why);
  if (!get_string(j, "audience", f, false, out.audience, error)) return false;
  if (out.audience.empty()) return fail(error, f + ".audience", "must not be empty");
  if (!get_string(j, "signing_key_secret", f, true, out.signing_key_secret, error)) return false;
  if (!get_string(j, "kid", f, false, out.kid, error)) return false;
  if (!get_string(j, "previous_signing_key_secret", f, false, out.previous_signing_key_secret, error)) return false;
  if (!get_string(j, "previous_kid", f, false, out.previous_kid, error)) return false;
  if (!get_uint(j, "token_lifetime_seconds", f, 60, 3600, out.token_lifetime_seconds, error)) return false;
  if (!get_string(j, "sts_endpoint", f, true, sts, error)) return false;
  if (!valid_url(sts, out.sts_url, why)) return fail(error, f + ".sts_endpoint", why);
  if (out.sts_url.find('/', out.sts_url.find("://") + 3) == std::string::npos) out.sts_url += '/';
  if (!get_uint(j, "sts_timeout_ms", f, 1, 120000, out.sts_timeout_ms, error)) return false;
  if (!get_string(j, "l2_key_secret", f, true, out.l2_key_secret, error)) return false;

  // The L2 key is checked here so that a bad one fails the config, not every cache write.
  auto l2 = env.find(out.l2_key_secret);
  std::string raw;
  if (l2 == env.end() || l2->second.empty())
    return fail(error, f + ".l2_key_secret", "Worker secret \"" + out.l2_key_secret + "\" is not set");
  if (!b64::decode(l2->second, raw) || raw.size() != 32)
    return fail(error, f + ".l2_key_secret", "Worker secret \"" + out.l2_key_secret + "\" must be base64 of 32 bytes");

  RsaPublicKey active, previous;
  if (!public_key_of(env, f + ".signing_key_secret", out.signing_key_secret, active, error)) return false;
  if (out.kid.empty()) out.kid = jwk_thumbprint(active);
  std::string keys = jwk_json(active, out.kid);
  if (!out.previous_signing_key_secret.empty()) {
    if (!public_key_of(env, f + ".previous_signing_key_secret", out.previous_signing_key_secret, previous, error))
      return false;
    if (out.previous_kid.empty()) out.previous_kid = jwk_thumbprint(previous);
    if (out.previous_kid == out.kid) return fail(error, f + ".previous_kid", "must differ from the active kid");
    keys += ',' + jwk_json(previous, out.previous_kid);
  } else if (!out.previous_kid.empty()) {
    return fail(error, f + ".previous_kid", "needs previous_signing_key_secret");
  }
  out.jwks_json = "{\"keys\":[" + keys + "]}";
  const size_t path_at = out.issuer.find('/', out.issuer.find("://") + 3);
  const std::string issuer_path = path_at == std::string::npos ? "" : out.issuer.substr(path_at);
  out.openid_configuration_path = issuer_path + "/.well-known/openid-configuration";
  out.jwks_path = issuer_path + "/.well-known/jwks.json";
  out.openid_configuration_json =
      "{\"issuer\":" + json_string(out.issuer) + ",\"jwks_uri\":" + json_string(out.issuer + "/.well-known/jwks.json") +
      ",\"response_types_supported\":[\"id_token\"],\"subject_types_supported\":[\"public\"]"
      ",\"id_token_signing_alg_values_supported\":[\"RS256\"]"
      ",\"claims_supported\":[\"iss\",\"sub\",\"aud\",\"iat\",\"nbf\",\"exp\",\"jti\"]}";
  return true;
}

bool load_web_identity(const json::Value& auth, const std::string& field, WebIdentityAuth& out, std::string& error) {
  if (!get_string(auth, "role_arn", field, true, out.role_arn, error)) return false;
  if (std::string why = role_arn_problem(out.role_arn); !why.empty()) return fail(error, field + ".role_arn", why);
  if (!get_string(auth, "subject", field, true, out.subject, error)) return false;
  std::string session;
  if (!get_string(auth, "session_name", field, false, session, error)) return false;
  out.session_name = sanitize_session_name(session.empty() ? out.subject : session);
  out.duration_seconds = 0;
  if (!get_uint(auth, "duration_seconds", field, 900, 43200, out.duration_seconds, error)) return false;
  return true;
}

bool load_assume_role(const json::Value& auth, const std::string& field, const std::string& backend, const Env& env,
                      AssumeRoleAuth& out, std::string& error) {
  if (!get_string(auth, "role_arn", field, true, out.role_arn, error)) return false;
  if (std::string why = role_arn_problem(out.role_arn); !why.empty()) return fail(error, field + ".role_arn", why);
  std::string session;
  if (!get_string(auth, "session_name", field, false, session, error)) return false;
  out.session_name = sanitize_session_name(session.empty() ? "s3-edge-proxy-" + backend : session);
  if (!get_string(auth, "external_id", field, false, out.external_id, error)) return false;
  if (auth.contains("external_id"))
    if (std::string why = external_id_problem(out.external_id); !why.empty())
      return fail(error, field + ".external_id", why);
  if (!get_uint(auth, "duration_s", field, 900, 43200, out.duration_seconds, error)) return false;
  if (!get_string(auth, "sts_region", field, false, out.sts_region, error)) return false;
  if (out.sts_region.empty() || out.sts_region.size() > 64 ||
      out.sts_region.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos)
    return fail(error, field + ".sts_region", "must be a region name such as us-east-1");
  if (auth.contains("source")) {
    const json::Value& source = auth["source"];
    const std::string sf = field + ".source";
    if (!source.is_object()) return fail(error, sf, "must be an object");
    std::string type;
    if (!get_string(source, "type", sf, true, type, error)) return false;
    if (type != "web_identity") return fail(error, sf + ".type", "must be \"web_identity\" (the session a chained AssumeRole is signed with)");
    for (const char* key : {"access_key_id_secret", "secret_access_key_secret"})
      if (auth.contains(key)) return fail(error, field + "." + key, "not with \"source\": the source's session signs the call");
    if (!load_web_identity(source, sf, out.source.emplace(), error)) return false;
    if (out.duration_seconds > 3600)
      return fail(error, field + ".duration_s", "at most 3600 with a web_identity source: AWS caps a chained role session at one hour");
    return true;
  }
  // The JSON names Worker secrets; their values come from the environment and never appear in an error.
  struct Ref { const char* key; std::string* dest; };
  for (Ref r : {Ref{"access_key_id_secret", &out.access_key_id}, Ref{"secret_access_key_secret", &out.secret_access_key}}) {
    std::string secret_name;
    if (!get_string(auth, r.key, field, true, secret_name, error)) return false;
    auto v = env.find(secret_name);
    if (v == env.end() || v->second.empty())
      return fail(error, field + "." + r.key, "Worker secret \"" + secret_name + "\" is not set");
    *r.dest = v->second;
  }
  return true;
}

}  // namespace s3p
