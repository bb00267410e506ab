#include "worker/ops/copy_object.h"

#include "worker/ops/copy_from.h"
#include "worker/ops/copy_result.h"

namespace s3p {

Planned plan_copy_object(OpContext& ctx) {
  BackendCall call;
  if (Failure refusal; !plan_copy_call(ctx, call, refusal)) return Planned::refuse(std::move(refusal));
  for (auto& h : forwarded_copy_headers(ctx.headers)) call.headers.push_back(std::move(h));
  call.changes_object = true;
  return Planned::run(std::make_unique<CopyResultOp>("CopyObject", "CopyObjectResult", *ctx.repo->backend,
                                                     std::move(call), ctx.flat()));
}

}  // namespace s3p
