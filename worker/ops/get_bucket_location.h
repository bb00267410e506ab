// GetBucketLocation (GET /{account}?location): accounts are not regional; answered without a backend.
#pragma once
#include "worker/ops/op_context.h"

namespace s3p {

Planned plan_get_bucket_location(OpContext& ctx);

}  // namespace s3p
