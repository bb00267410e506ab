// S3's (RFC 9110's) conditional GET/HEAD, evaluated against cached metadata: If-Match, then If-Unmodified-Since
// (only without If-Match), then If-None-Match, then If-Modified-Since (only without If-None-Match).
#pragma once
#include <string_view>

#include "worker/http/headers.h"

namespace s3p::cache {

enum class Precondition { Proceed, NotModified, Failed };

Precondition evaluate_preconditions(const Headers& request, std::string_view etag, std::string_view last_modified);

}  // namespace s3p::cache
