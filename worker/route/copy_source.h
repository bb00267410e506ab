// The x-amz-copy-source header as S3 reads it: "[/]{bucket}/{key}[?versionId={id}]", bucket and key
// percent-encoded. Parsed with the same route rules as a request path, so a copy source can name nothing a
// request could not (no dot segments, no over-long keys, '%2F' never a separator).
#pragma once
#include <string>
#include <string_view>

#include "worker/route/route.h"

namespace s3p {

struct CopySource {
  Route route;             // Kind::Object: account, repository, key (and tail for flat buckets)
  std::string version_id;  // "" = the current version
};

// False when the header does not name an object in a bucket.
bool parse_copy_source(std::string_view header, CopySource& out);

}  // namespace s3p
