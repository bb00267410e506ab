#include "worker/sts/documents.h"

#include "worker/rules/iso8601.h"
#include "worker/s3/xml_escape.h"

namespace s3p::sts {
namespace {

constexpr std::string_view kXmlns = "https://sts.amazonaws.com/doc/2011-06-15/";

void element(std::string& out, std::string_view name, std::string_view text) {
  out += '<';
  out += name;
  out += '>';
  xml::append_escaped(out, text);
  out += "</";
  out += name;
  out += '>';
}

void metadata(std::string& out, std::string_view request_id) {
  out += "<ResponseMetadata>";
  element(out, "RequestId", request_id);
  out += "</ResponseMetadata>";
}

void credentials(std::string& out, const auth::Session& s, std::string_view session_token) {
  out += "<Credentials>";
  element(out, "AccessKeyId", s.access_key_id);
  element(out, "SecretAccessKey", s.secret);
  element(out, "SessionToken", session_token);
  element(out, "Expiration", format_iso8601(s.expires_s));
  out += "</Credentials>";
}

void assumed_role_user(std::string& out, const auth::Session& s) {
  out += "<AssumedRoleUser>";
  element(out, "AssumedRoleId", auth::role_id(s.role) + ":" + s.session_name);
  element(out, "Arn", auth::assumed_role_arn(s.role, s.session_name));
  out += "</AssumedRoleUser>";
}

}  // namespace

std::string assume_role_document(const auth::Session& s, std::string_view session_token, std::string_view request_id) {
  std::string out = "<AssumeRoleResponse xmlns=\"" + std::string(kXmlns) + "\"><AssumeRoleResult>";
  credentials(out, s, session_token);
  assumed_role_user(out, s);
  out += "</AssumeRoleResult>";
  metadata(out, request_id);
  out += "</AssumeRoleResponse>";
  return out;
}

std::string web_identity_document(const auth::Session& s, std::string_view session_token, std::string_view provider,
                                  std::string_view audience, std::string_view request_id) {
  std::string out = "<AssumeRoleWithWebIdentityResponse xmlns=\"" + std::string(kXmlns) +
                    "\"><AssumeRoleWithWebIdentityResult>";
  credentials(out, s, session_token);
  element(out, "SubjectFromWebIdentityToken", s.subject);
  assumed_role_user(out, s);
  element(out, "Provider", provider);
  element(out, "Audience", audience);
  out += "</AssumeRoleWithWebIdentityResult>";
  metadata(out, request_id);
  out += "</AssumeRoleWithWebIdentityResponse>";
  return out;
}

std::string caller_identity_document(std::string_view arn, std::string_view user_id, std::string_view request_id) {
  std::string out = "<GetCallerIdentityResponse xmlns=\"" + std::string(kXmlns) + "\"><GetCallerIdentityResult>";
  element(out, "Arn", arn);
  element(out, "UserId", user_id);
  element(out, "Account", auth::kStsAccount);
  out += "</GetCallerIdentityResult>";
  metadata(out, request_id);
  out += "</GetCallerIdentityResponse>";
  return out;
}

std::string error_document(const S3Error& e, std::string_view request_id) {
  std::string out = "<ErrorResponse xmlns=\"" + std::string(kXmlns) + "\"><Error>";
  element(out, "Type", e.status >= 500 ? "Receiver" : "Sender");
  element(out, "Code", e.code);
  element(out, "Message", e.message);
  out += "</Error>";
  element(out, "RequestId", request_id);
  out += "</ErrorResponse>";
  return out;
}

}  // namespace s3p::sts
