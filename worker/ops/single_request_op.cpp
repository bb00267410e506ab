#include "worker/ops/single_request_op.h"

#include <algorithm>

#include "worker/ops/backend_fetch.h"
#include "worker/ops/write_answer.h"

namespace s3p {

FetchAction SingleRequestOp::request(const BackendCredentials* creds, int64_t now_s, sigv4::SigningKeyCache& keys) {
  BackendTarget target{&backend_, call_.key, call_.query, call_.scope};
  target.body = call_.body;
  target.payload_hash = call_.payload_hash;
  FetchAction f = backend_fetch(target, call_.method, call_.headers, creds, now_s, keys);
  f.mode = call_.mode;
  f.max_body = call_.max_body;
  if (call_.long_running) f.timeout_ms = std::max(f.timeout_ms, kLongOperationMs);
  return f;
}

bool SingleRequestOp::failed(const FetchResult& r, OpStep& out) const {
  if (r.outcome == FetchOutcome::Ok && r.status >= 200 && r.status < 300) return false;
  out = write_failure(r, flat_);
  return true;
}

std::vector<http::QueryParam> take_params(std::vector<http::QueryParam>& params,
                                          std::initializer_list<std::string_view> names) {
  std::vector<http::QueryParam> out;
  for (auto& p : params)
    for (auto n : names)
      if (p.name == n) {
        out.push_back(std::move(p));
        break;
      }
  return out;
}

}  // namespace s3p
