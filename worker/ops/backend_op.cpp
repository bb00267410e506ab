#include "worker/ops/backend_op.h"

#include <cmath>

namespace s3p {

OpStep::OpStep() = default;  // out of line: an OpStep is built on every path of every operation (module size)
OpStep::~OpStep() = default;
OpStep::OpStep(OpStep&&) noexcept = default;
OpStep& OpStep::operator=(OpStep&&) noexcept = default;

Action BackendOp::step(const BackendCredentials* creds, double now_ms, sigv4::SigningKeyCache& keys) {
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
  // The host refused to pass on the client's body (signed chunks, or a body checked against its digests): the
  // client's fault.
  if (r.outcome == FetchOutcome::BodySignatureMismatch) {
    out = OpStep::fail(client_fault(errors::SignatureDoesNotMatch, "chunk signature: " + r.error));
    return true;
  }
  if (r.outcome == FetchOutcome::BodyMalformed) {
    out = OpStep::fail(client_fault(errors::IncompleteBody, "aws-chunked body: " + r.error));
    return true;
  }
  if (r.outcome == FetchOutcome::BodyDigestMismatch) {
    out = OpStep::fail(client_fault(errors::BadDigest, "body checksum: " + r.error));
    return true;
  }
  if (r.outcome == FetchOutcome::BodyHashMismatch) {
    out = OpStep::fail(client_fault(errors::XAmzContentSHA256Mismatch, "body: " + r.error));
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

OpStep missing_backend_bucket(bool flat, std::string detail) {
  if (flat) return OpStep::fail(errors::NoSuchBucket, std::move(detail));
  return OpStep::fail(config_fault(errors::BadGateway, detail + ": the repository's backend bucket does not exist"));
}

OpStep backend_error_answer(BackendError error, BackendCallKind call, bool flat, std::string detail) {
  using E = BackendError;
  const bool read = call == BackendCallKind::Read, write = call == BackendCallKind::Write;
  const bool on_bucket = call == BackendCallKind::List || call == BackendCallKind::HeadBucket;
  // A write refusal met by another call is answered as its status (400, 404) would be.
  switch (error) {
    case E::PayloadHashMismatch:
    case E::DigestMismatch:
    case E::DigestInvalid:
    case E::TooLarge:
    case E::TooSmall:
    case E::InvalidPart:
    case E::InvalidPartOrder:
    case E::MalformedBody:
      if (!write) error = E::BadRequest;
      break;
    case E::NoSuchUpload:
      if (!write) error = E::NoSuchKey;
      break;
    default: break;
  }
  switch (error) {
    case E::CredentialsExpired:
      return OpStep::fail(backend_fault(errors::ServiceUnavailable, detail + ": the proxy's credentials"));
    case E::CredentialsRefused:
      return OpStep::fail(config_fault(errors::BadGateway, detail + ": the backend refuses the proxy's credentials"));
    case E::NoSuchContainer: return missing_backend_bucket(flat, std::move(detail));
    case E::NoSuchKey:
      if (on_bucket) return missing_backend_bucket(flat, std::move(detail));  // no key was asked for
      return OpStep::fail(errors::NoSuchKey, std::move(detail));
    case E::Forbidden: return OpStep::fail(errors::AccessDenied, std::move(detail));
    case E::PreconditionFailed:
      if (on_bucket) break;
      return OpStep::fail(errors::PreconditionFailed, std::move(detail));
    case E::InvalidRange:
      if (!read) break;
      return OpStep::fail(errors::InvalidRange, std::move(detail));
    case E::BadRequest:
      if (call == BackendCallKind::HeadBucket) break;  // the client's HEAD carried nothing to be invalid
      return OpStep::fail(write ? errors::InvalidRequest : errors::InvalidArgument, std::move(detail));
    case E::InvalidArgument:
      if (call == BackendCallKind::HeadBucket) break;
      return OpStep::fail(errors::InvalidArgument, std::move(detail));
    case E::LengthRequired:
      if (!write) break;
      return OpStep::fail(errors::MissingContentLength, std::move(detail));
    case E::PayloadHashMismatch: return OpStep::fail(errors::XAmzContentSHA256Mismatch, std::move(detail));
    case E::DigestMismatch: return OpStep::fail(errors::BadDigest, std::move(detail));
    case E::DigestInvalid: return OpStep::fail(errors::InvalidDigest, std::move(detail));
    case E::TooLarge: return OpStep::fail(errors::EntityTooLarge, std::move(detail));
    case E::TooSmall: return OpStep::fail(errors::EntityTooSmall, std::move(detail));
    case E::NoSuchUpload: return OpStep::fail(errors::NoSuchUpload, std::move(detail));
    case E::InvalidPart: return OpStep::fail(errors::InvalidPart, std::move(detail));
    case E::InvalidPartOrder: return OpStep::fail(errors::InvalidPartOrder, std::move(detail));
    case E::MalformedBody: return OpStep::fail(errors::MalformedXML, std::move(detail));
    case E::Throttled:
    case E::Unavailable: return OpStep::fail(backend_fault(errors::ServiceUnavailable, std::move(detail)));
    case E::NotModified:  // a read answers its 304 before classifying; nobody else asked for one
    case E::Other: break;
  }
  return OpStep::fail(errors::BadGateway, std::move(detail));
}

}  // namespace s3p
