// ListParts (GET …?uploadId=U): the parts of an upload, answered in our key space (bucket, key, and our owner
// in place of the backend's initiator and owner ids).
#pragma once
#include "worker/ops/op_context.h"

namespace s3p {

Planned plan_list_parts(OpContext& ctx);

}  // namespace s3p
