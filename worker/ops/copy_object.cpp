#include "worker/ops/copy_object.h"

#include "worker/auth/authorize.h"
#include "worker/ops/copy_from.h"
#include "worker/ops/copy_result.h"

namespace s3p {

Planned plan_copy_object(OpContext& ctx) {
  if (!auth::allows(ctx.caller, *ctx.account, *ctx.repo, kPermWrite, ctx.key))
    return Planned::refuse(errors::AccessDenied, "no write permission for this key");
  if (ctx.key.empty()) return Planned::refuse(errors::InvalidArgument, "empty key");
  BackendCall call;
  Failure refusal;
  std::string source;
  if (!backend_copy_source(ctx, source, refusal)) return Planned::refuse(std::move(refusal));
  call.method = "PUT";
  call.long_running = true;
  call.key = ctx.backend_key();
  call.headers = forwarded_copy_headers(ctx.headers);
  call.headers.push_back({"x-amz-copy-source", std::move(source)});
  return Planned::run(std::make_unique<CopyResultOp>("CopyObject", "CopyObjectResult", *ctx.repo->backend,
                                                     std::move(call), ctx.flat()));
}

}  // namespace s3p
