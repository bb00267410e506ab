// How a backend's answer to a write (PutObject, DeleteObject, copies, multipart steps) reaches the client:
// which headers pass through, and which S3 error a failure becomes, in our key space.
#pragma once
#include <string_view>

#include "worker/ops/backend_op.h"

namespace s3p {

bool passes_through_write(std::string_view name);
// The error class is the backend's dialect's (dialect::Dialect::classify).
OpStep write_failure(const Backend& b, const FetchResult& r, bool flat);
// The same mapping for an error code read elsewhere (an <Error> inside a 200 answer).
OpStep write_error(uint32_t status, std::string_view code, bool flat);

}  // namespace s3p
