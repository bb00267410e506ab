// S3 backend errors → the neutral backend error classes (proto/backend_error.h): the S3 dialect's classifier, as
// worker/azure/errors.h is Azure's. One table, by error code first (the <Error><Code> of the answer's body,
// xml::error_code_of; none for HEAD answers and bare ones), then by HTTP status for a code it does not list.
//
// The table lists only the codes whose class differs from what their status alone says (credentials, a missing
// bucket, the write refusals, load), so an answer S3 words with its status's usual code (404 NoSuchKey,
// 403 AccessDenied, 412 PreconditionFailed, 416 InvalidRange) is classified by its status, and an <Error> inside
// a 200 answer (CompleteMultipartUpload, CopyObject) with such a code is Other.
//
// Status fallbacks: 304 NotModified, 400 BadRequest, 403 Forbidden, 404 NoSuchKey, 411 LengthRequired,
// 412 PreconditionFailed, 416 InvalidRange, 500/502/503/504 Unavailable (the operations answer these 503 before
// classifying: ops/backend_op.h backend_failure), anything else Other.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "worker/proto/backend_error.h"

namespace s3p::s3 {

using ErrorRule = BackendErrorRule;

// The table itself (for tests and for the README).
const ErrorRule* error_rules(size_t& count);

// The class of an answer with this status and error code ("" when none was given). Only for answers that are
// errors; a 2xx is not classified (but a 200 with an <Error> document is, by its code).
BackendError classify_error(uint32_t status, std::string_view code);

// The log detail of such an answer: "backend 404 NoSuchKey", "backend 403" (no code).
std::string error_detail(uint32_t status, std::string_view code);

}  // namespace s3p::s3
