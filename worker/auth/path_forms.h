// The forms of a request path a signature may cover. Clients differ in which bytes they escape: most sign the
// canonical re-encoding (what S3 itself compares), some sign exactly what they sent. Both are the same resource.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace s3p::auth {

// The canonical re-encoding of `raw` (if it decodes), then `raw` itself when it differs. Never empty for a
// non-empty path.
std::vector<std::string> path_forms(std::string_view raw);

}  // namespace s3p::auth
