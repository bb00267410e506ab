// The STS endpoint's requests, as the SDKs send them: POST with an application/x-www-form-urlencoded body
// (botocore, the aws cli, the JS SDK), or GET with the same parameters in the query; `Action` and
// `Version=2011-06-15`. Pure parsing and validation; the endpoint (endpoint.h) authenticates and answers.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "worker/config/roles.h"
#include "worker/http/uri.h"
#include "worker/s3/failure.h"

namespace s3p::sts {

// The endpoint's path: /.sts or /.sts/ (account names never start with '.', so it hides none).
bool is_endpoint(std::string_view raw_path);

enum class Call { AssumeRole, AssumeRoleWithWebIdentity, GetCallerIdentity };

// The action a request's parameters ask for; false with `failure` (MissingAction, InvalidAction, MalformedInput).
bool parse_action(const std::vector<http::QueryParam>& params, Call& out, Failure& failure);

struct AssumeRoleCall {
  std::string role;          // from RoleArn
  std::string session_name;  // RoleSessionName
  uint32_t duration_s = 0;   // DurationSeconds (0: not given)
};
// AssumeRole's parameters: RoleArn, RoleSessionName, optional DurationSeconds (digits); Policy and PolicyArns.*
// are refused (PolicyUnsupported). ExternalId, Tags and the rest are accepted and ignored.
bool parse_assume_role(const std::vector<http::QueryParam>& params, AssumeRoleCall& out, Failure& failure);

// The session's length: DurationSeconds, else 3600 capped at the role's maximum; within
// [settings.min_session_s, min(43200, role.max_session_s)] or DurationTooShort / DurationTooLong.
bool session_duration(const AssumeRoleCall& call, const Role& role, const StsSettings& settings, uint32_t& out,
                      Failure& failure);

}  // namespace s3p::sts
