#include "worker/ops/upload_part_copy.h"

#include "worker/ops/copy_from.h"
#include "worker/ops/copy_result.h"
#include "worker/ops/upload_part.h"

namespace s3p {

Planned plan_upload_part_copy(OpContext& ctx) {
  if (dialect::of(*ctx.repo->backend).capabilities().proxy_uploads)  // Put Block From URL is not rendered
    return Planned::refuse(errors::NotImplemented, "UploadPartCopy on a backend whose uploads the proxy mints");
  BackendCall call;
  if (Failure refusal; !plan_copy_call(ctx, call, refusal)) return Planned::refuse(std::move(refusal));
  call.step = dialect::WriteStep::CopyPart;
  call.query = take_params(ctx.params, {"partNumber", "uploadId"});
  for (const auto& p : call.query)
    if (p.name == "partNumber" && !valid_part_number(p.value))
      return Planned::refuse(errors::InvalidArgument, "Part number must be an integer between 1 and 10000, inclusive");
  for (const auto& h : ctx.headers)
    if (starts_with(h.name, "x-amz-copy-source-") && !has_ctl_break(h.value)) call.headers.push_back(h);
  return Planned::run(std::make_unique<CopyResultOp>("UploadPartCopy", "CopyPartResult", *ctx.repo->backend,
                                                     std::move(call), ctx.flat()));
}

}  // namespace s3p
