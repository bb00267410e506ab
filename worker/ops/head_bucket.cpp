#include "worker/ops/head_bucket.h"

#include "worker/auth/authorize.h"
#include "worker/dialect/dialect.h"

namespace s3p {

Planned plan_head_bucket(OpContext& ctx) {
  const Account& account = *ctx.account;
  if (!auth::can_see(ctx.caller, account))
    return Planned::refuse(errors::AccessDenied, "no repository of the account is visible");
  if (account.flat) return Planned::run(std::make_unique<HeadBucketOp>(*account.repositories.front().backend));
  return Planned::respond(200, {{"x-amz-bucket-region", ctx.config.region}});
}

FetchAction HeadBucketOp::request(const BackendCredentials* creds, int64_t now_s, sigv4::SigningKeyCache& keys) {
  return dialect::of(backend_).probe_bucket(backend_, creds, {now_s, keys});
}

OpStep HeadBucketOp::on_response(FetchResult&& r) {
  OpStep step;
  if (backend_failure(r, step)) return step;
  const std::string detail = "backend HeadBucket " + std::to_string(r.status);
  switch (r.status) {
    case 200:
      step.status = 200;
      step.headers = {{"x-amz-bucket-region", backend_.region}};
      return step;
    // HEAD answers carry no code: the status alone is classified (a 404 is the bucket). HeadBucket asks the
    // backend only for a flat bucket.
    default: return backend_error_answer(dialect::classify_answer(backend_, r).error, BackendCallKind::HeadBucket, true, detail);
  }
}

}  // namespace s3p
