// HTTP dates (RFC 9110 IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"), as Last-Modified and If-Modified-Since
// carry them. The obsolete RFC 850 and asctime forms are not accepted: a condition with a date we cannot read is
// ignored, as RFC 9110 says to.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace s3p {

// Unix seconds, or false.
bool parse_http_date(std::string_view text, int64_t& out_s);

// Unix seconds → IMF-fixdate (what Azure's x-ms-date carries).
std::string format_http_date(int64_t unix_s);

}  // namespace s3p
