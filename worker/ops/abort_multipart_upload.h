// AbortMultipartUpload (DELETE …?uploadId=U). A writer may abort: an upload's parts are its own, and a client
// that fails mid-upload cleans up with the permission it uploaded with.
#pragma once
#include "worker/ops/op_context.h"

namespace s3p {

Planned plan_abort_multipart_upload(OpContext& ctx);

}  // namespace s3p
