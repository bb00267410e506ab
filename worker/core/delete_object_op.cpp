#include "worker/core/delete_object_op.h"

#include "worker/core/backend_fetch.h"
#include "worker/core/write_answer.h"

namespace s3p {

FetchAction DeleteObjectOp::request(const sigv4::Credentials* creds, int64_t now_s, sigv4::SigningKeyCache& keys) {
  BackendTarget target{&backend_, key_, query_};
  return backend_fetch(target, "DELETE", {}, creds, now_s, keys);
}

OpStep DeleteObjectOp::on_response(FetchResult&& r) {
  if (r.outcome != FetchOutcome::Ok || (r.status != 204 && r.status != 200)) return write_failure(r, flat_);
  OpStep step;
  step.status = 204;
  for (auto& h : r.headers)
    if (h.name == "x-amz-version-id" || h.name == "x-amz-delete-marker") step.headers.push_back(std::move(h));
  return step;
}

}  // namespace s3p
