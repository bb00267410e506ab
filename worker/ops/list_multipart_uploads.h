// ListMultipartUploads (GET /{account}?uploads): the uploads in progress under a prefix that names a repository
// (in a flat bucket, any prefix), answered in our key space. Across repositories it is not implemented (501):
// uploads are per backend, and a merged walk buys nothing a client needs today.
#pragma once
#include "worker/ops/op_context.h"

namespace s3p {

Planned plan_list_multipart_uploads(OpContext& ctx);

}  // namespace s3p
