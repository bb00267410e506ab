// How long a streamed backend body may take before the host cuts it. A backend can stall after its headers, and
// the runtime gives no signal for it: the body goes to the client by a native pipe, which has no idle timer (a
// JavaScript one would cost every chunk of every download). So the bound is a deadline: the backend's timeout
// plus the time the body's length takes at the backend's floor rate (min_body_rate_kib_s). A client slower than
// that floor on average is cut off too; a stalled body ends short, which clients detect by its Content-Length.
// The bound costs the host a pipe through an identity stream, which doubles the runtime's CPU per GiB streamed
// (0.27-0.29 -> 0.48-0.63 CPU-s/GiB, ./scripts/bench's 64 MiB cell): it is off unless a backend's config sets a
// floor. Without it a client's own read timeout ends a stalled answer (aws cli, boto3: 60 s).
#pragma once
#include <cstdint>

#include "worker/config/config.h"
#include "worker/http/headers.h"

namespace s3p {

// Bodies up to this size arrive with their headers in practice; bounding them would cost every small read a pipe.
inline constexpr uint64_t kUnboundedBodyMax = 256 * 1024;

// Milliseconds for the host's deadline on a streamed answer with these headers; 0 = none (a small or
// unknown-length body, or a backend whose floor rate is 0).
uint32_t stream_deadline_ms(const Backend& backend, const Headers& response_headers);

}  // namespace s3p
