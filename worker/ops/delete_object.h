// DeleteObject: one backend DELETE; S3 answers 204 whether or not the key existed.
#pragma once
#include "worker/http/uri.h"
#include "worker/ops/op_context.h"

namespace s3p {

Planned plan_delete_object(OpContext& ctx);

class DeleteObjectOp : public BackendOp {
 public:
  DeleteObjectOp(const Backend& backend, std::string key, std::vector<http::QueryParam> query, bool flat)
      : backend_(backend), key_(std::move(key)), query_(std::move(query)), flat_(flat) {}
  std::string_view name() const override { return "DeleteObject"; }
  const Backend& backend() const override { return backend_; }
  FetchAction request(const BackendCredentials* creds, int64_t now_s, sigv4::SigningKeyCache& keys) override;
  OpStep on_response(FetchResult&& r) override;
  void changed_objects(std::vector<ObjectRef>& out) const override { out.push_back({&backend_, key_}); }

 private:
  const Backend& backend_;
  std::string key_;
  std::vector<http::QueryParam> query_;  // versionId
  bool flat_;
};

}  // namespace s3p
