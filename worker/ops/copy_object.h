// CopyObject (PUT with x-amz-copy-source): a server-side copy inside one backend; the source must be readable
// by the caller and the target writable.
#pragma once
#include "worker/ops/op_context.h"

namespace s3p {

Planned plan_copy_object(OpContext& ctx);

}  // namespace s3p
