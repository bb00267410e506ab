#include "worker/rules/jwt.h"

#include "worker/crypto/base64.h"
#include "worker/http/json_escape.h"

namespace s3p::jwt {
namespace {

// Hand-built JSON: the core reads JSON (worker/http/json.h) but writes it by hand, escaping with json_escape.h.
void field(std::string& out, std::string_view name, std::string_view value) {
  if (out.size() > 1) out += ',';
  out += '"';
  out += name;
  out += "\":\"";
  append_json_escaped(out, value);
  out += '"';
}

void field(std::string& out, std::string_view name, int64_t value) {
  if (out.size() > 1) out += ',';
  out += '"';
  out += name;
  out += "\":";
  out += std::to_string(value);
}

}  // namespace

std::string signing_input(std::string_view kid, const Claims& c) {
  std::string header = "{";
  field(header, "alg", "RS256");
  field(header, "typ", "JWT");
  field(header, "kid", kid);
  header += '}';
  std::string claims = "{";
  field(claims, "iss", c.iss);
  field(claims, "sub", c.sub);
  field(claims, "aud", c.aud);
  field(claims, "iat", c.iat);
  field(claims, "nbf", c.nbf);
  field(claims, "exp", c.exp);
  field(claims, "jti", c.jti);
  claims += '}';
  return b64::encode_url(header) + '.' + b64::encode_url(claims);
}

std::string compact(std::string_view signing_input, std::string_view signature) {
  std::string out(signing_input);
  out += '.';
  out += b64::encode_url(signature);
  return out;
}

}  // namespace s3p::jwt
