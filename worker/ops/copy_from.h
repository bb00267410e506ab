// The source of a CopyObject or UploadPartCopy: x-amz-copy-source resolved in our namespace, the caller's read
// permission on it checked (before any backend work), and mapped to the backend's own copy-source header. A copy
// runs inside the backend, so both ends must be on the same backend (endpoint, bucket and credentials);
// anything else is refused with a clear 501.
#pragma once
#include <string>

#include "worker/ops/op_context.h"
#include "worker/ops/single_request_op.h"

namespace s3p {

// False with the failure; else the call's copy source (backend, backend key, version) is set.
bool backend_copy_source(const OpContext& ctx, BackendCall& call, Failure& out);

// The backend call of a copy into ctx's key (CopyObject, UploadPartCopy): the caller's write permission on the
// target and read permission on the source checked, the source resolved (the dialect renders it).
// False with the refusal.
bool plan_copy_call(const OpContext& ctx, BackendCall& call, Failure& out);

// The client headers a copy forwards: the copy conditions, the directives, and (with REPLACE) the new object
// headers and metadata.
Headers forwarded_copy_headers(const Headers& client);

}  // namespace s3p
