#include "worker/ops/delete_object.h"

#include "worker/auth/authorize.h"
#include "worker/dialect/dialect.h"
#include "worker/ops/write_answer.h"

namespace s3p {

Planned plan_delete_object(OpContext& ctx) {
  if (!auth::allows(ctx.caller, *ctx.account, *ctx.repo, kPermDelete, ctx.key))
    return Planned::refuse(errors::AccessDenied, "no delete permission for this key");
  if (ctx.key.empty()) return Planned::refuse(errors::InvalidArgument, "empty key");
  std::vector<http::QueryParam> version;
  for (auto& p : ctx.params)
    if (p.name == "versionId") version.push_back(std::move(p));
  return Planned::run(std::make_unique<DeleteObjectOp>(*ctx.repo->backend, ctx.backend_key(), std::move(version), ctx.flat()));
}

FetchAction DeleteObjectOp::request(const BackendCredentials* creds, int64_t now_s, sigv4::SigningKeyCache& keys) {
  dialect::ObjectWrite w;
  w.step = dialect::WriteStep::Delete;
  w.key = key_;
  w.query = &query_;
  return dialect::of(backend_).write(backend_, w, creds, dialect::Signing{now_s, keys});
}

OpStep DeleteObjectOp::on_response(FetchResult&& r) {
  // S3 answers 204 whether or not the key existed; Azure 202, or 404 for a blob that is not there, which is S3's
  // 204 as well.
  if (r.outcome == FetchOutcome::Ok && r.status == 404 &&
      dialect::classify_answer(backend_, r).error == BackendError::NoSuchKey)
    r.status = 204;
  else if (r.outcome != FetchOutcome::Ok || r.status < 200 || r.status > 204)
    return write_failure(backend_, r, flat_);
  OpStep step;
  step.status = 204;
  for (auto& h : r.headers)
    if (h.name == "x-amz-version-id" || h.name == "x-amz-delete-marker") step.headers.push_back(std::move(h));
  return step;
}

}  // namespace s3p
