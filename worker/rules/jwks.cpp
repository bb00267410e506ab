#include "worker/rules/jwks.h"

#include "worker/http/json.h"

#include "worker/crypto/base64.h"

namespace s3p::jwt {
namespace {


// A base64url member decoding to [lo, hi] bytes; `raw` gets the text as it was (it is passed on to the host).
bool member(const json::Value& k, const char* name, size_t lo, size_t hi, std::string& raw) {
  auto it = k.find(name);
  if (it == k.end() || !it->is_string()) return false;
  raw = it->get<std::string>();
  std::string bytes;
  return b64::decode_url(raw, bytes) && bytes.size() >= lo && bytes.size() <= hi;
}

bool read_key(const json::Value& k, Jwk& out) {
  if (!k.is_object()) return false;
  auto str = [&](const char* name) -> std::string {
    auto it = k.find(name);
    return it != k.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const std::string kty = str("kty"), use = str("use"), alg = str("alg");
  out.kid = str("kid");
  if (out.kid.empty() || out.kid.size() > 256) return false;
  if (k.contains("use") && use != "sig") return false;
  if (kty == "RSA") {
    if (k.contains("alg") && alg != "RS256") return false;
    std::string n, e;
    if (!member(k, "n", 256, 1024, n) || !member(k, "e", 1, 8, e)) return false;
    out.alg = Alg::RS256;
    out.jwk = R"({"kty":"RSA","n":")" + n + R"(","e":")" + e + R"("})";
    return true;
  }
  if (kty == "EC") {
    if (k.contains("alg") && alg != "ES256") return false;
    if (str("crv") != "P-256") return false;
    std::string x, y;
    if (!member(k, "x", 32, 32, x) || !member(k, "y", 32, 32, y)) return false;
    out.alg = Alg::ES256;
    out.jwk = R"({"kty":"EC","crv":"P-256","x":")" + x + R"(","y":")" + y + R"("})";
    return true;
  }
  return false;  // "oct" (symmetric) and anything else: never a verification key here
}

}  // namespace

bool parse_jwks(std::string_view text, std::vector<Jwk>& out, std::string& why) {
  if (text.size() > kMaxJwksBytes) return why = "JWKS over " + std::to_string(kMaxJwksBytes) + " bytes", false;
  const json::Value j = json::parse(text);
  if (j.is_discarded() || !j.is_object()) return why = "JWKS is not a JSON object", false;
  auto keys = j.find("keys");
  if (keys == j.end() || !keys->is_array()) return why = "JWKS has no keys array", false;
  std::vector<Jwk> found;
  for (const auto& k : *keys) {
    if (found.size() >= kMaxJwksKeys) break;
    if (Jwk key; read_key(k, key)) found.push_back(std::move(key));
  }
  out = std::move(found);
  return true;
}

KeyChoice select_key(const std::vector<Jwk>& keys, std::string_view kid, Alg alg, const Jwk*& out) {
  bool other_type = false;
  for (const Jwk& k : keys) {
    if (k.kid != kid) continue;
    if (k.alg == alg) {
      out = &k;
      return KeyChoice::Found;
    }
    other_type = true;
  }
  return other_type ? KeyChoice::WrongKeyType : KeyChoice::UnknownKid;
}

}  // namespace s3p::jwt
