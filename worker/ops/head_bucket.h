// HeadBucket (HEAD /{account}). An account of repositories exists as configured; a flat bucket asks its backend
// (HEAD of the backend bucket), so a missing or forbidden backend bucket answers as S3 would (404 / 403) instead
// of a blind 200.
#pragma once
#include "worker/ops/op_context.h"

namespace s3p {

Planned plan_head_bucket(OpContext& ctx);

class HeadBucketOp : public BackendOp {
 public:
  explicit HeadBucketOp(const Backend& backend) : backend_(backend) {}
  std::string_view name() const override { return "HeadBucket"; }
  const Backend& backend() const override { return backend_; }
  FetchAction request(const BackendCredentials* creds, int64_t now_s, sigv4::SigningKeyCache& keys) override;
  OpStep on_response(FetchResult&& r) override;

 private:
  const Backend& backend_;
};

}  // namespace s3p
