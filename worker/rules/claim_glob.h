// A role's condition on a token claim (config/roles.h): the pattern matches the whole value, `*` standing for any
// run of characters (`/` and `:` included: "repo:my-org/*:ref:refs/heads/main"); every other character is itself.
#pragma once
#include <string_view>

namespace s3p {

bool glob_match(std::string_view pattern, std::string_view value);

}  // namespace s3p
