#include "worker/ops/stream_deadline.h"

#include <algorithm>
#include <limits>

#include "worker/http/decimal.h"

namespace s3p {

uint32_t stream_deadline_ms(const Backend& backend, const Headers& response_headers) {
  const std::string* declared = find_header(response_headers, "content-length");
  uint64_t length = 0;
  if (backend.min_body_rate_kib_s == 0 || !declared || !http::parse_decimal(*declared, length) ||
      length <= kUnboundedBodyMax)
    return 0;
  // bytes / (KiB/s) = ms * 1000 / 1024: computed in 64 bits, capped at what the ABI carries (~49 days).
  const uint64_t transfer_ms = length * 1000 / (uint64_t{backend.min_body_rate_kib_s} * 1024) + 1;
  const uint64_t total = transfer_ms + backend.timeout_ms;
  return static_cast<uint32_t>(std::min<uint64_t>(total, std::numeric_limits<uint32_t>::max()));
}

}  // namespace s3p
