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
  if (root_name != "AssumeRoleWithWebIdentityResponse") return out;
  const XMLElement* result = root->FirstChildElement("AssumeRoleWithWebIdentityResult");
  const XMLElement* creds = result ? result->FirstChildElement("Credentials") : nullptr;
  if (!creds) return out;
  out.creds.access_key_id = text_of(creds, "AccessKeyId");
  out.creds.secret_access_key = text_of(creds, "SecretAccessKey");
  out.creds.session_token = text_of(creds, "SessionToken");
  if (out.creds.access_key_id.empty() || out.creds.secret_access_key.empty() || out.creds.session_token.empty()) {
    out.creds = {};
    return out;
  }
  out.kind = StsResponse::Kind::Credentials;
  out.has_expiration = parse_iso8601_ms(text_of(creds, "Expiration"), out.expiration_ms);
  return out;
}

}  // namespace s3p
