// PutObject: the client's body streamed to the backend by handle (never through the core), with the object's
// headers forwarded and the backend request signed with the payload hash the client declared, so that a body
// changed after the client signed it is refused by the backend and never becomes an object.
#pragma once
#include "worker/ops/op_context.h"

namespace s3p {

Planned plan_put_object(OpContext& ctx);

// The payload hash a backend request carrying the client's body is signed with (PutObject, UploadPart): the one
// the client declared (a hex digest, UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER); UNSIGNED-PAYLOAD when
// it declared none (presigned URLs, SigV2). False for what cannot be re-signed (signed chunks).
bool backend_payload_hash(std::string_view declared, std::string& out, Failure& failure);

class PutObjectOp : public BackendOp {
 public:
  // `key`: the full backend key; `client_headers`: the request's; `payload_hash`: the client's declared
  // x-amz-content-sha256 (a hex digest, UNSIGNED-PAYLOAD or STREAMING-UNSIGNED-PAYLOAD-TRAILER).
  PutObjectOp(const Backend& backend, std::string key, const Headers& client_headers, std::string payload_hash,
              bool flat);
  std::string_view name() const override { return "PutObject"; }
  const Backend& backend() const override { return backend_; }
  FetchAction request(const sigv4::Credentials* creds, int64_t now_s, sigv4::SigningKeyCache& keys) override;
  OpStep on_response(FetchResult&& r) override;

  // The client headers a PutObject forwards: the object's own (type, encoding, disposition, language, cache,
  // expiry, metadata, checksums, storage class), its conditions, and what aws-chunked framing needs.
  static Headers forwarded_headers(const Headers& client);

 private:
  const Backend& backend_;
  std::string key_;
  Headers forwarded_;
  std::string payload_hash_;
  bool flat_;
};

}  // namespace s3p
