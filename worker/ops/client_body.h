// The small bodies the core reads itself (DeleteObjects, CompleteMultipartUpload) are held whole, so what the
// client signed over them is checked here: the declared x-amz-content-sha256 (a hex digest) and Content-MD5.
#pragma once
#include <string_view>

#include "worker/http/headers.h"
#include "worker/s3/failure.h"

namespace s3p {

// The largest such body: S3's own limits (1000 keys of 1024 bytes; 10000 parts) with room for XML around them.
inline constexpr uint32_t kMaxXmlBody = 4 * 1024 * 1024;

// False with the failure when the body is not what the client signed or declared.
bool body_matches_declared(std::string_view body, std::string_view payload_hash, const Headers& headers, Failure& out);

}  // namespace s3p
