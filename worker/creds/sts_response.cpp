#include "worker/creds/sts_response.h"

#include <tinyxml2.h>

#include "worker/rules/iso8601.h"

namespace s3p {
namespace {

using tinyxml2::XMLElement;

std::string text_of(const XMLElement* parent, const char* name) {
  const XMLElement* e = parent ? parent->FirstChildElement(name) : nullptr;
  const char* t = e ? e->GetText() : nullptr;
  return t ? t : "";
}

// A credential field as it goes into a header value (Authorization's Credential=, x-amz-security-token): the
// surrounding whitespace of pretty-printed XML trimmed, then one token of printable ASCII; else "" (unusable).
std::string token_of(const XMLElement* parent, const char* name) {
  const std::string t = text_of(parent, name);
  const size_t b = t.find_first_not_of(" \t\r\n"), e = t.find_last_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  for (size_t i = b; i <= e; ++i)
    if (static_cast<unsigned char>(t[i]) <= 0x20 || static_cast<unsigned char>(t[i]) >= 0x7f) return "";
  return t.substr(b, e - b + 1);
}

}  // namespace

StsResponse parse_sts_response(std::string_view body) {
  StsResponse out;
  tinyxml2::XMLDocument doc;
  if (body.empty() || doc.Parse(body.data(), body.size()) != tinyxml2::XML_SUCCESS) return out;
  const XMLElement* root = doc.RootElement();
  if (!root) return out;
  const std::string_view root_name = root->Name();

  if (root_name == "ErrorResponse" || root_name == "Error") {
    const XMLElement* err = root_name == "Error" ? root : root->FirstChildElement("Error");
    out.code = text_of(err, "Code");
    out.message = text_of(err, "Message");
    if (!out.code.empty()) out.kind = StsResponse::Kind::Error;
    return out;
  }
  // AssumeRoleWithWebIdentity and AssumeRole answer alike: <{Action}Response><{Action}Result><Credentials>.
  const char* result_name = root_name == "AssumeRoleWithWebIdentityResponse" ? "AssumeRoleWithWebIdentityResult"
                            : root_name == "AssumeRoleResponse"              ? "AssumeRoleResult"
                                                                             : nullptr;
  if (!result_name) return out;
  const XMLElement* result = root->FirstChildElement(result_name);
  const XMLElement* creds = result ? result->FirstChildElement("Credentials") : nullptr;
  if (!creds) return out;
  out.creds.access_key_id = token_of(creds, "AccessKeyId");
  out.creds.secret_access_key = token_of(creds, "SecretAccessKey");
  out.creds.session_token = token_of(creds, "SessionToken");
  if (out.creds.access_key_id.empty() || out.creds.secret_access_key.empty() || out.creds.session_token.empty()) {
    out.creds = {};
    return out;
  }
  out.kind = StsResponse::Kind::Credentials;
  out.has_expiration = parse_iso8601_ms(text_of(creds, "Expiration"), out.expiration_ms);
  return out;
}

}  // namespace s3p
