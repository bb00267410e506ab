// ListBuckets (GET /): the accounts the caller can see something in.
#pragma once
#include "worker/ops/op_context.h"

namespace s3p {

Planned plan_list_buckets(OpContext& ctx);

}  // namespace s3p
