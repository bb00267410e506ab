// IAM role ARN validation for web-identity backends, checked at config load so that a typo is a config error
// naming the field instead of an STS rejection on the first request.
//   arn:{aws|aws-cn|aws-us-gov}:iam::{12 digits}:role/{path/}name
// The region field is empty (IAM is global). The resource is everything after the fifth ':' and may itself contain
// colons (IAM paths allow any printable ASCII); the role name is 1-64 of [A-Za-z0-9+=,.@_-].
#pragma once
#include <string>
#include <string_view>

namespace s3p {

// "" when `arn` is a valid role ARN, otherwise a short reason ("partition must be aws, aws-cn or aws-us-gov", ...).
std::string role_arn_problem(std::string_view arn);

}  // namespace s3p
