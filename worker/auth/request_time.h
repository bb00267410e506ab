// The timestamps a signed request carries: SigV4's "YYYYMMDDTHHMMSSZ" (x-amz-date, X-Amz-Date) and the HTTP
// date SigV2 clients put in Date (RFC 7231 IMF-fixdate: "Fri, 04 Dec 2026 18:19:27 GMT", or "+0000" for GMT).
#pragma once
#include <cstdint>
#include <string_view>

namespace s3p::auth {

// How far a request's own time may be from ours (S3's rule).
inline constexpr int64_t kMaxSkewSeconds = 15 * 60;

bool parse_amz_date(std::string_view text, int64_t& unix_seconds);
bool parse_http_date(std::string_view text, int64_t& unix_seconds);

}  // namespace s3p::auth
