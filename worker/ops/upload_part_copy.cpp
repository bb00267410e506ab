#include "worker/ops/upload_part_copy.h"

#include "worker/auth/authorize.h"
#include "worker/ops/copy_from.h"
#include "worker/ops/copy_result.h"
#include "worker/ops/upload_part.h"

namespace s3p {

Planned plan_upload_part_copy(OpContext& ctx) {
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
  call.query = take_params(ctx.params, {"partNumber", "uploadId"});
  for (const auto& p : call.query)
    if (p.name == "partNumber" && !valid_part_number(p.value))
      return Planned::refuse(errors::InvalidArgument, "Part number must be an integer between 1 and 10000, inclusive");
  for (const auto& h : ctx.headers)
    if (starts_with(h.name, "x-amz-copy-source-") && !has_ctl_break(h.value)) call.headers.push_back(h);
  call.headers.push_back({"x-amz-copy-source", std::move(source)});
  return Planned::run(std::make_unique<CopyResultOp>("UploadPartCopy", "CopyPartResult", *ctx.repo->backend,
                                                     std::move(call), ctx.flat()));
}

}  // namespace s3p
