#include "worker/config/identity_providers.h"

#include "worker/config/json_fields.h"

namespace s3p {
namespace {

using config_fields::fail;

bool starts_with_text(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// https://HOST/…, or plain http:// only on loopback (a JWKS fetched in the clear could be swapped on the way).
bool valid_jwks_url(std::string_view url) {
  if (url.size() > 1024) return false;
  for (char c : url)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  if (starts_with_text(url, "https://")) return url.size() > 8;
  for (std::string_view host : {"http://127.0.0.1:", "http://127.0.0.1/", "http://localhost:", "http://localhost/",
                                "http://[::1]:", "http://[::1]/"})
    if (starts_with_text(url, host)) return true;
  return false;
}

}  // namespace

bool valid_idp_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
      return false;
  return true;
}

bool load_identity_provider(const std::string& name, const json::Value& j, const std::string& f, IdentityProvider& out,
                            std::string& error) {
  if (!valid_idp_name(name)) return fail(error, f, "provider names are 1-64 of A-Z a-z 0-9 _ . -");
  if (!j.is_object()) return fail(error, f, "must be an object");
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it.key() != "issuer" && it.key() != "audiences" && it.key() != "jwks_url" && it.key() != "disabled")
      return fail(error, f + "." + it.key(), "is not an identity provider field");
  IdentityProvider p;
  p.name = name;
  if (!config_fields::get_string(j, "issuer", f, true, p.issuer, error)) return false;
  if (p.issuer.size() > 512) return fail(error, f + ".issuer", "must be at most 512 characters");
  auto aud = j.find("audiences");
  if (aud == j.end() || !aud->is_array() || aud->empty() || aud->size() > 16)
    return fail(error, f + ".audiences", "must be an array of 1-16 non-empty strings");
  for (const auto& a : *aud) {
    if (!a.is_string() || a.get<std::string>().empty() || a.get<std::string>().size() > 256)
      return fail(error, f + ".audiences", "must be an array of 1-16 non-empty strings");
    p.audiences.push_back(a.get<std::string>());
  }
  if (!config_fields::get_string(j, "jwks_url", f, true, p.jwks_url, error)) return false;
  if (!valid_jwks_url(p.jwks_url))
    return fail(error, f + ".jwks_url", "must be an https:// URL (http:// only on a loopback host)");
  if (!config_fields::get_bool(j, "disabled", f, p.disabled, error)) return false;
  out = std::move(p);
  return true;
}

bool load_idp_entry(std::string_view name, std::string_view json_text, IdentityProvider& out, std::string& error) {
  const json::Value j = json::parse(json_text);
  const std::string f = "idp " + std::string(name);
  if (j.is_discarded() || !j.is_object()) return fail(error, f, "is not a JSON object");
  return load_identity_provider(std::string(name), j, f, out, error);
}

}  // namespace s3p
