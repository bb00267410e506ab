#include "worker/ops/put_object.h"

#include "worker/auth/authorize.h"
#include "worker/ops/backend_fetch.h"
#include "worker/ops/write_answer.h"

namespace s3p {

Planned plan_put_object(OpContext& ctx) {
  if (!auth::allows(ctx.caller, *ctx.account, *ctx.repo, kPermWrite, ctx.key))
    return Planned::refuse(errors::AccessDenied, "no write permission for this key");
  if (ctx.key.empty()) return Planned::refuse(errors::InvalidArgument, "empty key");
  std::string payload;
  if (Failure f; !backend_payload_hash(ctx.payload_hash, payload, f)) return Planned::refuse(std::move(f));
  return Planned::run(std::make_unique<PutObjectOp>(*ctx.repo->backend, ctx.backend_key(), ctx.headers,
                                                    std::move(payload), ctx.flat()));
}

bool backend_payload_hash(std::string_view declared, std::string& out, Failure& failure) {
  // The backend request is signed with the hash the client declared: the backend recomputes it over the bytes
  // it receives, so a body changed after signing is refused there and never stored.
  out = declared.empty() ? std::string(sigv4::kUnsignedPayload) : std::string(declared);
  // Signed chunks are bound to the client's own seed signature, which no re-signed request can carry.
  if (starts_with(out, "STREAMING-") && out != "STREAMING-UNSIGNED-PAYLOAD-TRAILER") {
    failure = client_fault(errors::SignedChunksUnsupported, "signed aws-chunked upload");
    return false;
  }
  return true;
}

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

OpStep PutObjectOp::on_response(FetchResult&& r) {
  if (r.outcome != FetchOutcome::Ok || r.status != 200) return write_failure(r, flat_);
  OpStep step;
  step.status = 200;
  for (auto& h : r.headers)
    if (passes_through_write(h.name)) step.headers.push_back(std::move(h));
  return step;
}

}  // namespace s3p
