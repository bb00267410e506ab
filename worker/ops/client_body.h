// The small bodies the core reads itself (DeleteObjects, CompleteMultipartUpload) are held whole, so what the
// client signed over them is checked here: the declared x-amz-content-sha256 (a hex digest) and Content-MD5.
#pragma once
#include <string_view>

#include "worker/http/headers.h"
#include "worker/s3/failure.h"

namespace s3p {

// The largest such bodies, from S3's own limits with room for the XML around them: 1000 keys of at most 1024
// bytes (with a version id and some escaping: 2 KiB each), and 10000 parts (a number, an ETag and checksums).
inline constexpr uint32_t kMaxDeleteBody = 1000 * 2048 + 4096;
inline constexpr uint32_t kMaxXmlBody = 4 * 1024 * 1024;

// How long the client may take to send such a body before it is refused (400 RequestTimeout): the core holds the
// request meanwhile, and a body this small arrives in well under it on any link that can use S3.
inline constexpr uint32_t kBodyReadDeadlineMs = 30000;

// False with the failure when the body is not what the client signed or declared.
bool body_matches_declared(std::string_view body, std::string_view payload_hash, const Headers& headers, Failure& out);

}  // namespace s3p
