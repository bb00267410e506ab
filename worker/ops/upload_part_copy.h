// UploadPartCopy (PUT …?partNumber=N&uploadId=U with x-amz-copy-source): a part copied inside one backend,
// optionally a byte range of the source (x-amz-copy-source-range).
#pragma once
#include "worker/ops/op_context.h"

namespace s3p {

Planned plan_upload_part_copy(OpContext& ctx);

}  // namespace s3p
