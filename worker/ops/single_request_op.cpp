#include "worker/ops/single_request_op.h"

#include <algorithm>

#include "worker/ops/backend_fetch.h"
#include "worker/ops/write_answer.h"

namespace s3p {

FetchAction SingleRequestOp::request(const BackendCredentials* creds, int64_t now_s, sigv4::SigningKeyCache& keys) {
  dialect::ObjectWrite w;
  w.step = call_.step;
  w.key = call_.key;
  w.headers = &call_.headers;
  w.body = call_.body;
  w.payload_hash = call_.payload_hash;
  w.length = call_.length;
  w.query = &call_.query;
  w.copy_source = call_.copy_source;
  w.copy_source_key = call_.copy_source_key;
  w.copy_source_version = call_.copy_source_version;
  w.block_id = call_.block_id;
  w.blocks = &call_.blocks;
  FetchAction f = dialect::of(backend_).write(backend_, w, creds, dialect::Signing{now_s, keys});
  if (f.url.empty()) return f;
  f.mode = call_.mode;
  f.max_body = call_.max_body;
  if (call_.long_running) f.timeout_ms = std::max(f.timeout_ms, kLongOperationMs);
  return f;
}

bool SingleRequestOp::failed(const FetchResult& r, OpStep& out) const {
  if (r.outcome == FetchOutcome::Ok && r.status >= 200 && r.status < 300) return false;
  out = write_failure(backend_, r, flat_);
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
