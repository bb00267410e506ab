// STS ExternalId: 2-1224 characters of [\w+=,.@:/-] (STS answers ValidationError to anything else). Unlike a
// session name it is compared by the role's trust policy, so it is checked at config load, never rewritten.
#pragma once
#include <string>
#include <string_view>

namespace s3p {

// "" when `id` is a valid ExternalId, otherwise a short reason.
std::string external_id_problem(std::string_view id);

}  // namespace s3p
