// PutObject: the client's body streamed to the backend by handle (never through the core), with the object's
// headers forwarded; a body changed after the client signed it never becomes an object (upload_body.h says how).
#pragma once
#include "worker/ops/op_context.h"

namespace s3p {

Planned plan_put_object(OpContext& ctx);

struct UploadBody;

class PutObjectOp : public BackendOp {
 public:
  // `key`: the full backend key; `upload`: the body, its payload hash and the headers sent with it.
  PutObjectOp(const Backend& backend, std::string key, UploadBody upload, bool flat);
  std::string_view name() const override { return "PutObject"; }
  const Backend& backend() const override { return backend_; }
  FetchAction request(const BackendCredentials* creds, int64_t now_s, sigv4::SigningKeyCache& keys) override;
  OpStep on_response(FetchResult&& r) override;
  void changed_objects(std::vector<ObjectRef>& out) const override { out.push_back({&backend_, key_}); }

  // The client headers a PutObject forwards: the object's own (type, encoding, disposition, language, cache,
  // expiry, metadata, checksums, storage class), its conditions, and what aws-chunked framing needs.
  static Headers forwarded_headers(const Headers& client);

 private:
  const Backend& backend_;
  std::string key_;
  Headers forwarded_;
  Body body_;
  std::string payload_hash_;
  int64_t length_;
  bool flat_;
};

}  // namespace s3p
