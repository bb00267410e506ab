// The client headers a read forwards to its backend's dialect (dialect::of): every request, reads and writes
// alike, is rendered by the dialect now (dialect/dialect.h).
#pragma once
#include "worker/http/headers.h"

namespace s3p {

// The client headers a GetObject/HeadObject forwards: range, conditionals, checksum mode and SSE-C keys.
// Unsigned-by-edge headers such as accept-encoding are deliberately not forwarded.
Headers forwarded_read_headers(const Headers& client);

}  // namespace s3p
