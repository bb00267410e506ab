// CreateMultipartUpload (POST /{account}/{repo}/{key}?uploads): the object's headers go with it, as with
// PutObject; the answer names the upload in our key space.
#pragma once
#include "worker/ops/op_context.h"

namespace s3p {

Planned plan_create_multipart_upload(OpContext& ctx);

}  // namespace s3p
