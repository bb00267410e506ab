#include "worker/rules/web_identity_token.h"

#include <algorithm>
#include <cmath>

#include "worker/http/json.h"

#include "worker/crypto/base64.h"
#include "worker/util/sort.h"

namespace s3p::jwt {
namespace {


constexpr size_t kMaxClaims = 64;
constexpr size_t kMaxAudiences = 16;

bool fail(std::string& why, std::string text) {
  why = std::move(text);
  return false;
}

// A JSON object from base64url; false for anything else.
bool parse_object(std::string_view b64url, json::Value& out) {
  std::string text;
  if (!b64::decode_url(b64url, text)) return false;
  out = json::parse(text);
  return out.is_object();
}

// A NumericDate (RFC 7519 §2): a JSON number of seconds, whole or not; false for anything else or absurd values.
bool numeric_date(const json::Value& j, const char* name, bool& present, int64_t& out) {
  auto it = j.find(name);
  present = it != j.end();
  if (!present) return true;
  if (!it->is_number()) return false;
  const double v = it->get<double>();
  if (!std::isfinite(v) || v < 0 || v > 1e11) return false;
  out = static_cast<int64_t>(v);
  return true;
}

}  // namespace

std::string_view alg_name(Alg a) { return a == Alg::ES256 ? "ES256" : "RS256"; }

const std::string* Token::claim(std::string_view name) const {
  auto it = std::lower_bound(claims.begin(), claims.end(), name,
                             [](const auto& c, std::string_view n) { return c.first < n; });
  return it != claims.end() && it->first == name ? &it->second : nullptr;
}

bool parse_token(std::string_view compact, Token& out, std::string& why) {
  if (compact.empty()) return fail(why, "empty token");
  if (compact.size() > kMaxTokenBytes) return fail(why, "token over " + std::to_string(kMaxTokenBytes) + " bytes");
  const size_t d1 = compact.find('.');
  const size_t d2 = d1 == std::string_view::npos ? d1 : compact.find('.', d1 + 1);
  if (d2 == std::string_view::npos || compact.find('.', d2 + 1) != std::string_view::npos)
    return fail(why, "not a compact JWS (three dot-separated parts)");
  json::Value header;
  if (!parse_object(compact.substr(0, d1), header)) return fail(why, "header is not base64url of a JSON object");
  Token t;
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string()) return fail(why, "header has no alg");
  const std::string a = alg->get<std::string>();
  if (a == "RS256") t.alg = Alg::RS256;
  else if (a == "ES256") t.alg = Alg::ES256;
  else return fail(why, "alg " + a.substr(0, 16) + " is not accepted (RS256, ES256 only)");
  if (header.contains("crit")) return fail(why, "header has crit");
  auto kid = header.find("kid");
  if (kid == header.end() || !kid->is_string() || kid->get<std::string>().empty() || kid->get<std::string>().size() > 256)
    return fail(why, "header has no kid");
  t.kid = kid->get<std::string>();
  if (!b64::decode_url(compact.substr(d2 + 1), t.signature)) return fail(why, "signature is not base64url");
  if (t.alg == Alg::ES256 && t.signature.size() != 64) return fail(why, "ES256 signature is not 64 bytes (r||s)");
  if (t.alg == Alg::RS256 && (t.signature.size() < 256 || t.signature.size() > 1024))
    return fail(why, "RS256 signature length impossible for a 2048-8192 bit key");
  json::Value payload;
  if (!parse_object(compact.substr(d1 + 1, d2 - d1 - 1), payload))
    return fail(why, "payload is not base64url of a JSON object");
  auto str = [&](const char* k, std::string& v) {
    auto it = payload.find(k);
    if (it == payload.end() || !it->is_string() || it->get<std::string>().empty()) return false;
    v = it->get<std::string>();
    return true;
  };
  if (!str("iss", t.iss)) return fail(why, "no iss claim");
  if (!str("sub", t.sub)) return fail(why, "no sub claim");
  auto aud = payload.find("aud");
  if (aud == payload.end()) return fail(why, "no aud claim");
  if (aud->is_string()) {
    t.aud.push_back(aud->get<std::string>());
  } else if (aud->is_array() && !aud->empty() && aud->size() <= kMaxAudiences) {
    for (const auto& x : *aud) {
      if (!x.is_string()) return fail(why, "aud holds a non-string");
      t.aud.push_back(x.get<std::string>());
    }
  } else {
    return fail(why, "aud is not a string or an array of 1-16 strings");
  }
  bool has_exp = false;
  if (!numeric_date(payload, "exp", has_exp, t.exp) || !has_exp) return fail(why, "exp missing or not a date");
  if (!numeric_date(payload, "nbf", t.has_nbf, t.nbf)) return fail(why, "nbf not a date");
  if (!numeric_date(payload, "iat", t.has_iat, t.iat)) return fail(why, "iat not a date");
  for (auto it = payload.begin(); it != payload.end(); ++it)
    if (it->is_string() && t.claims.size() < kMaxClaims) t.claims.emplace_back(it.key(), it->get<std::string>());
  util::sort(t.claims.begin(), t.claims.end());  // object keys are unique: sorted by name
  t.signing_input = std::string(compact.substr(0, d2));
  out = std::move(t);
  return true;
}

ClaimCheck check_claims(const Token& t, std::string_view issuer, const std::vector<std::string>& audiences,
                        int64_t now_s, std::string& why) {
  if (t.iss != issuer) return why = "iss is not the provider's issuer", ClaimCheck::WrongIssuer;
  bool aud_ok = false;
  for (const auto& a : t.aud)
    aud_ok = aud_ok || std::find(audiences.begin(), audiences.end(), a) != audiences.end();
  if (!aud_ok) return why = "aud names none of the provider's audiences", ClaimCheck::WrongAudience;
  if (now_s >= t.exp + kClockSkewS) return why = "expired " + std::to_string(now_s - t.exp) + " s ago", ClaimCheck::Expired;
  if (t.has_nbf && t.nbf > now_s + kClockSkewS) return why = "nbf in the future", ClaimCheck::NotYetValid;
  if (t.has_iat && t.iat > now_s + kClockSkewS) return why = "iat in the future", ClaimCheck::IssuedInFuture;
  return ClaimCheck::Ok;
}

}  // namespace s3p::jwt
