// The STS endpoint's answers in STS's XML (namespace https://sts.amazonaws.com/doc/2011-06-15/), as botocore, the
// aws cli and the JS SDK parse them. Every value from data goes through the XML escaper.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "worker/auth/session.h"
#include "worker/s3/errors.h"

namespace s3p::sts {

std::string assume_role_document(const auth::Session& s, std::string_view session_token, std::string_view request_id);
// AssumeRoleWithWebIdentityResponse: the credentials, SubjectFromWebIdentityToken (s.subject), AssumedRoleUser,
// Provider (the token's iss) and Audience (the aud the provider accepted).
std::string web_identity_document(const auth::Session& s, std::string_view session_token, std::string_view provider,
                                  std::string_view audience, std::string_view request_id);
// The caller: an access key (arn:aws:iam::s3-edge-proxy:user/KEYID) or a session (its assumed-role ARN).
std::string caller_identity_document(std::string_view arn, std::string_view user_id, std::string_view request_id);
// <ErrorResponse>: Type Sender for 4xx, Receiver for 5xx.
std::string error_document(const S3Error& e, std::string_view request_id);

}  // namespace s3p::sts
