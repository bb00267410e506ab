#include "worker/ops/backend_op.h"

#include <cmath>

namespace s3p {

OpStep::OpStep() = default;  // out of line: an OpStep is built on every path of every operation (module size)
OpStep::~OpStep() = default;
OpStep::OpStep(OpStep&&) noexcept = default;
OpStep& OpStep::operator=(OpStep&&) noexcept = default;

Action BackendOp::step(const sigv4::Credentials* creds, double now_ms, sigv4::SigningKeyCache& keys) {
  Action a;
  a.kind = ActionKind::Fetch;
  a.fetch = request(creds, static_cast<int64_t>(std::floor(now_ms / 1000)), keys);
  return a;
}

OpStep BackendOp::on_result(Result&& r, double) {
  if (r.kind != ActionKind::Fetch) return OpStep::fail(core_fault("a backend operation got a result it did not ask for"));
  return on_response(std::move(r.fetch));
}

bool backend_failure(const FetchResult& r, OpStep& out) {
  if (r.outcome == FetchOutcome::Timeout) {
    out = OpStep::fail(backend_fault(errors::ServiceUnavailable, "backend timeout: " + r.error));
    return true;
  }
  // The host refused to pass on a signed-chunks body: the client's, so the client's fault.
  if (r.outcome == FetchOutcome::BodySignatureMismatch) {
    out = OpStep::fail(client_fault(errors::SignatureDoesNotMatch, "chunk signature: " + r.error));
    return true;
  }
  if (r.outcome == FetchOutcome::BodyMalformed) {
    out = OpStep::fail(client_fault(errors::IncompleteBody, "signed chunks: " + r.error));
    return true;
  }
  if (r.outcome != FetchOutcome::Ok) {
    out = OpStep::fail(backend_fault(errors::ServiceUnavailable, "backend transport: " + r.error));
    return true;
  }
  if (r.status == 500 || r.status == 502 || r.status == 503 || r.status == 504) {
    out = OpStep::fail(errors::ServiceUnavailable, "backend unavailable");
    return true;
  }
  return false;
}

bool backend_refused_credentials(std::string_view code, const std::string& detail, OpStep& out) {
  if (code == "ExpiredToken" || code == "InvalidToken" || code == "TokenRefreshRequired") {
    out = OpStep::fail(backend_fault(errors::ServiceUnavailable, detail + ": the proxy's credentials"));
    return true;
  }
  if (code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch" || code == "AuthorizationHeaderMalformed" ||
      code == "InvalidSecurity") {
    out = OpStep::fail(config_fault(errors::BadGateway, detail + ": the backend refuses the proxy's credentials"));
    return true;
  }
  return false;
}

OpStep missing_backend_bucket(bool flat, std::string detail) {
  if (flat) return OpStep::fail(errors::NoSuchBucket, std::move(detail));
  return OpStep::fail(config_fault(errors::BadGateway, detail + ": the repository's backend bucket does not exist"));
}

}  // namespace s3p
