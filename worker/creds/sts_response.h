// The documents STS answers AssumeRoleWithWebIdentity and AssumeRole with, parsed with tinyxml2:
//   <AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>
//       <AccessKeyId/><SecretAccessKey/><SessionToken/><Expiration/></Credentials>...
//   <AssumeRoleResponse><AssumeRoleResult><Credentials>...</Credentials>... (the same credentials)
//   <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>
// Anything else (garbage, truncated XML, credentials with a field missing or not one printable-ASCII token) is
// Unparseable.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "worker/sign/sigv4.h"

namespace s3p {

struct StsResponse {
  enum class Kind { Credentials, Error, Unparseable };
  Kind kind = Kind::Unparseable;
  sigv4::Credentials creds;     // Kind::Credentials
  bool has_expiration = false;  // false when <Expiration> is missing or not an ISO 8601 timestamp
  int64_t expiration_ms = 0;    // unix ms
  std::string code, message;    // Kind::Error
};

StsResponse parse_sts_response(std::string_view body);

}  // namespace s3p
