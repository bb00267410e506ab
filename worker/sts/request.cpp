#include "worker/sts/request.h"

#include <algorithm>

#include "worker/auth/session.h"
#include "worker/http/headers.h"
#include "worker/sts/sts_errors.h"

namespace s3p::sts {
namespace {

const http::QueryParam* find(const std::vector<http::QueryParam>& params, std::string_view name) {
  for (const auto& p : params)
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace

bool is_endpoint(std::string_view raw_path) { return raw_path == "/.sts" || raw_path == "/.sts/"; }

bool parse_action(const std::vector<http::QueryParam>& params, Call& out, Failure& failure) {
  if (!http::duplicate_param(params).empty())
    return failure = client_fault(errors::MalformedInput, "repeated parameter " + std::string(http::duplicate_param(params))), false;
  const http::QueryParam* action = find(params, "Action");
  if (!action || action->value.empty()) return failure = client_fault(errors::MissingAction, "no Action"), false;
  const http::QueryParam* version = find(params, "Version");
  if (!version || version->value != "2011-06-15")
    return failure = client_fault(errors::InvalidAction, "Version is not 2011-06-15"), false;
  if (action->value == "AssumeRole") out = Call::AssumeRole;
  else if (action->value == "AssumeRoleWithWebIdentity") out = Call::AssumeRoleWithWebIdentity;
  else if (action->value == "GetCallerIdentity") out = Call::GetCallerIdentity;
  else return failure = client_fault(errors::InvalidAction, "unsupported Action " + action->value.substr(0, 64)), false;
  return true;
}

bool parse_assume_role(const std::vector<http::QueryParam>& params, AssumeRoleCall& out, Failure& failure) {
  for (const auto& p : params)
    if (p.name == "Policy" || starts_with(p.name, "PolicyArns."))
      return failure = client_fault(errors::PolicyUnsupported, "a session policy (" + p.name.substr(0, 32) + ")"), false;
  const http::QueryParam* arn = find(params, "RoleArn");
  if (!arn || arn->value.empty()) return failure = client_fault(errors::MissingRoleArn, "no RoleArn"), false;
  if (!auth::parse_role_arn(arn->value, out.role))
    return failure = client_fault(errors::BadRoleArn, "RoleArn is not ours"), false;
  const http::QueryParam* name = find(params, "RoleSessionName");
  if (!name || name->value.empty()) return failure = client_fault(errors::MissingSessionName, "no RoleSessionName"), false;
  if (!auth::valid_session_name(name->value))
    return failure = client_fault(errors::BadSessionName, "RoleSessionName fails [\\w+=,.@-]{2,64}"), false;
  out.session_name = name->value;
  out.duration_s = 0;
  if (const http::QueryParam* d = find(params, "DurationSeconds")) {
    const std::string& v = d->value;
    if (v.empty() || v.size() > 6 || v.find_first_not_of("0123456789") != std::string::npos)
      return failure = client_fault(errors::BadDuration, "DurationSeconds is not a number"), false;
    for (char c : v) out.duration_s = out.duration_s * 10 + static_cast<uint32_t>(c - '0');
    if (out.duration_s == 0) return failure = client_fault(errors::DurationTooShort, "DurationSeconds 0"), false;
  }
  return true;
}

bool session_duration(const AssumeRoleCall& call, const Role& role, const StsSettings& settings, uint32_t& out,
                      Failure& failure) {
  const uint32_t max = std::min(kMaxSessionSeconds, role.max_session_s);
  out = call.duration_s ? call.duration_s : std::min<uint32_t>(3600, max);
  if (out < settings.min_session_s)
    return failure = client_fault(errors::DurationTooShort, "DurationSeconds " + std::to_string(out)), false;
  if (out > max)
    return failure = client_fault(errors::DurationTooLong, "DurationSeconds " + std::to_string(out) + " > " +
                                                              std::to_string(max)), false;
  return true;
}

}  // namespace s3p::sts
