#include "worker/core/put_object_op.h"

#include "worker/core/backend_fetch.h"
#include "worker/core/object_op.h"
#include "worker/s3/xml.h"

namespace s3p {

Headers PutObjectOp::forwarded_headers(const Headers& client) {
  static constexpr std::string_view kForward[] = {
      "content-type", "content-encoding", "content-disposition", "content-language", "cache-control", "expires",
      "content-md5", "if-none-match", "if-match", "x-amz-storage-class", "x-amz-tagging", "x-amz-website-redirect-location",
      "x-amz-sdk-checksum-algorithm", "x-amz-decoded-content-length", "x-amz-trailer"};
  Headers out;
  for (const auto& h : client) {
    if (has_ctl_break(h.value)) continue;
    bool forward = starts_with(h.name, "x-amz-meta-") || starts_with(h.name, "x-amz-checksum-");
    for (auto name : kForward) forward = forward || h.name == name;
    if (forward) out.push_back(h);
  }
  return out;
}

PutObjectOp::PutObjectOp(const Backend& backend, std::string key, const Headers& client_headers,
                         std::string payload_hash, bool flat)
    : backend_(backend),
      key_(std::move(key)),
      forwarded_(forwarded_headers(client_headers)),
      payload_hash_(std::move(payload_hash)),
      flat_(flat) {}

FetchAction PutObjectOp::request(const sigv4::Credentials* creds, int64_t now_s, sigv4::SigningKeyCache& keys) {
  BackendTarget target{&backend_, key_, {}};
  target.body = Body{BodyKind::Handle, {}, 1};  // the client's request body
  target.payload_hash = payload_hash_;
  return backend_fetch(target, "PUT", forwarded_, creds, now_s, keys);
}

bool passes_through_write(std::string_view name) {
  static constexpr std::string_view kAllowed[] = {"etag", "x-amz-version-id", "x-amz-server-side-encryption",
                                                  "x-amz-expiration"};
  for (auto a : kAllowed)
    if (name == a) return true;
  return starts_with(name, "x-amz-checksum-");
}

OpStep write_failure(const FetchResult& r, bool flat) {
  OpStep step;
  if (backend_failure(r, step)) return step;
  const std::string code = r.body.empty() ? "" : xml::error_code_of(r.body);
  const std::string detail = "backend " + std::to_string(r.status) + (code.empty() ? "" : " " + code);
  if (code == "NoSuchBucket") return missing_backend_bucket(flat, detail);
  if (code == "XAmzContentSHA256Mismatch") return OpStep::fail(errors::XAmzContentSHA256Mismatch, detail);
  if (code == "BadDigest") return OpStep::fail(errors::BadDigest, detail);
  if (code == "InvalidDigest") return OpStep::fail(errors::InvalidDigest, detail);
  if (code == "EntityTooLarge") return OpStep::fail(errors::EntityTooLarge, detail);
  switch (r.status) {
    case 403: return OpStep::fail(errors::AccessDenied, detail);
    case 404: return OpStep::fail(errors::NoSuchKey, detail);
    case 411: return OpStep::fail(errors::MissingContentLength, detail);
    case 412: return OpStep::fail(errors::PreconditionFailed, detail);
    case 400: return OpStep::fail(errors::InvalidRequest, detail);
    default: return OpStep::fail(errors::BadGateway, detail);
  }
}

OpStep PutObjectOp::on_response(FetchResult&& r) {
  if (r.outcome != FetchOutcome::Ok || r.status != 200) return write_failure(r, flat_);
  OpStep step;
  step.status = 200;
  for (auto& h : r.headers)
    if (passes_through_write(h.name)) step.headers.push_back(std::move(h));
  return step;
}

}  // namespace s3p
