// The x-amz-copy-source header of CopyObject / UploadPartCopy, parsed as S3 parses it: an optional leading '/',
// then "{bucket}/{key}" percent-encoded, then optionally "?versionId={id}". In our namespace the bucket is the
// account and the key starts with the repository, so the source is routed by the same rules as a request path
// (parse_route): strict decoding, UTF-8 without NUL, no '.'/'..' segment, at most 1024 bytes of key.
#pragma once
#include <string>
#include <string_view>

#include "worker/route/route.h"

namespace s3p {

struct CopySource {
  Route route;  // kind Object: account, repo, key, tail (decoded), as parse_route fills them
  bool has_version = false;
  std::string version_id;  // decoded; only with has_version
};

enum class CopySourceError {
  None,
  Malformed,     // not "{bucket}/{key}": S3's 400 InvalidArgument "Copy Source must mention the source bucket and key"
  BadEncoding,   // a bad %-escape, not UTF-8, NUL: 400 InvalidURI... as for a path
  DotSegment,    // a '.' or '..' key segment: 400 InvalidArgument
  KeyTooLong,    // 400 KeyTooLongError
  BadVersionId,  // a query other than one non-empty versionId: 400 InvalidArgument "Invalid version id specified"
};

CopySourceError parse_copy_source(std::string_view header, CopySource& out);

}  // namespace s3p
