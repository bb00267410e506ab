// How a backend's answer to a write (PutObject, DeleteObject, and the multipart steps to come) reaches the client:
// which headers pass through, and which S3 error a failure becomes, in our key space.
#pragma once
#include <string_view>

#include "worker/core/backend_op.h"

namespace s3p {

bool passes_through_write(std::string_view name);
OpStep write_failure(const FetchResult& r, bool flat);

}  // namespace s3p
