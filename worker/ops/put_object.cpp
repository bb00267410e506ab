#include "worker/ops/put_object.h"

#include "worker/auth/authorize.h"
#include "worker/dialect/dialect.h"
#include "worker/ops/upload_body.h"
#include "worker/ops/write_answer.h"

namespace s3p {

Planned plan_put_object(OpContext& ctx) {
  if (!auth::allows(ctx.caller, *ctx.account, *ctx.repo, kPermWrite, ctx.key))
    return Planned::refuse(errors::AccessDenied, "no write permission for this key");
  if (ctx.key.empty()) return Planned::refuse(errors::InvalidArgument, "empty key");
  UploadBody upload;
  if (Failure f; !plan_upload_body(ctx, upload, f)) return Planned::refuse(std::move(f));
  return Planned::run(std::make_unique<PutObjectOp>(*ctx.repo->backend, ctx.backend_key(), std::move(upload), ctx.flat()));
}

Headers PutObjectOp::forwarded_headers(const Headers& client) {
  static constexpr std::string_view kForward[] = {
      "content-type", "content-encoding", "content-disposition", "content-language", "cache-control", "expires",
      "content-md5", "if-none-match", "if-match", "x-amz-storage-class", "x-amz-tagging", "x-amz-website-redirect-location",
      "x-amz-sdk-checksum-algorithm", "x-amz-decoded-content-length", "x-amz-trailer",
      "x-amz-server-side-encryption-customer-algorithm", "x-amz-server-side-encryption-customer-key",
      "x-amz-server-side-encryption-customer-key-md5"};
  Headers out;
  for (const auto& h : client) {
    if (has_ctl_break(h.value)) continue;
    bool forward = starts_with(h.name, "x-amz-meta-") || starts_with(h.name, "x-amz-checksum-");
    for (auto name : kForward) forward = forward || h.name == name;
    if (forward) out.push_back(h);
  }
  return out;
}

PutObjectOp::PutObjectOp(const Backend& backend, std::string key, UploadBody upload, bool flat)
    : backend_(backend),
      key_(std::move(key)),
      forwarded_(std::move(upload.headers)),
      body_(std::move(upload.body)),
      payload_hash_(std::move(upload.payload_hash)),
      length_(upload.length),
      flat_(flat) {}

FetchAction PutObjectOp::request(const BackendCredentials* creds, int64_t now_s, sigv4::SigningKeyCache& keys) {
  dialect::ObjectWrite w;
  w.step = dialect::WriteStep::Put;
  w.key = key_;
  w.headers = &forwarded_;
  w.body = body_;
  w.payload_hash = payload_hash_;
  w.length = length_;
  return dialect::of(backend_).write(backend_, w, creds, dialect::Signing{now_s, keys});
}

OpStep PutObjectOp::on_response(FetchResult&& r) {
  // S3 answers 200, Azure's Put Blob 201.
  if (r.outcome != FetchOutcome::Ok || (r.status != 200 && r.status != 201)) return write_failure(backend_, r, flat_);
  OpStep step;
  step.status = 200;
  for (auto& h : r.headers)
    if (passes_through_write(h.name)) step.headers.push_back(std::move(h));
  return step;
}

}  // namespace s3p
