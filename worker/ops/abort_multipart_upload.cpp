#include "worker/ops/abort_multipart_upload.h"

#include "worker/auth/authorize.h"
#include "worker/ops/minted_upload.h"
#include "worker/ops/single_request_op.h"

namespace s3p {

namespace {

class AbortMultipartUploadOp : public SingleRequestOp {
 public:
  AbortMultipartUploadOp(const Backend& b, BackendCall call, bool flat)
      : SingleRequestOp("AbortMultipartUpload", b, std::move(call), flat) {}

  OpStep on_response(FetchResult&& r) override {
    OpStep step;
    if (failed(r, step)) return step;
    step.status = 204;
    return step;
  }
};

}  // namespace

Planned plan_abort_multipart_upload(OpContext& ctx) {
  if (!auth::allows(ctx.caller, *ctx.account, *ctx.repo, kPermWrite, ctx.key))
    return Planned::refuse(errors::AccessDenied, "no write permission for this key");
  if (ctx.key.empty()) return Planned::refuse(errors::InvalidArgument, "empty key");
  if (dialect::of(*ctx.repo->backend).capabilities().proxy_uploads) {
    // Nothing to remove: the upload's uncommitted blocks expire on their own (Azure: after 7 days).
    MintedUpload upload;
    if (Failure f; !open_upload(ctx, upload, f)) return Planned::refuse(std::move(f));
    return Planned::respond(204, {});
  }
  BackendCall call;
  call.step = dialect::WriteStep::AbortUpload;
  call.key = ctx.backend_key();
  call.query = take_params(ctx.params, {"uploadId"});
  call.max_body = 64 * 1024;
  return Planned::run(std::make_unique<AbortMultipartUploadOp>(*ctx.repo->backend, std::move(call), ctx.flat()));
}

}  // namespace s3p
