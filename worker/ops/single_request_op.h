// The shape most write operations share: one backend request on one backend key (a write step in the dialect's
// neutral terms: forwarded query and headers, maybe a body), then an answer read off the response. Subclasses
// only decide the answer.
#pragma once
#include <string>
#include <vector>

#include "worker/http/uri.h"
#include "worker/dialect/dialect.h"
#include "worker/ops/backend_fetch.h"
#include "worker/ops/backend_op.h"

namespace s3p {

struct BackendCall {
  dialect::WriteStep step = dialect::WriteStep::Put;
  std::string key;                      // full backend key (repository prefix + client key), never empty
  std::vector<http::QueryParam> query;  // forwarded (decoded): S3's own
  int64_t length = -1;                  // the body's length (-1 unknown)
  // Copies: the source (backend, key, version). Proxy-minted uploads: the part's block id, Complete's blocks.
  const Backend* copy_source = nullptr;
  std::string copy_source_key, copy_source_version;
  std::string block_id;
  std::vector<std::string> blocks;
  Headers headers;                      // forwarded, and signed
  Body body;                            // the client's body by handle, or bytes the core made
  std::string payload_hash = std::string(sigv4::kEmptyPayloadHash);
  // XML answers (results of copies and multipart steps) are read whole; object-like answers stream.
  ResponseMode mode = ResponseMode::Buffer;
  uint32_t max_body = 1 << 20;
  // Operations the backend works on before it answers (assembling parts, copying): S3 takes minutes for large
  // objects, so the first-byte timeout is at least kLongOperationMs for them.
  bool long_running = false;
  bool changes_object = false;  // the call writes or deletes the object at `key` (the object cache forgets it)
};

inline constexpr uint32_t kLongOperationMs = 10 * 60 * 1000;

class SingleRequestOp : public BackendOp {
 public:
  SingleRequestOp(std::string_view name, const Backend& backend, BackendCall call, bool flat)
      : name_(name), backend_(backend), call_(std::move(call)), flat_(flat) {}
  std::string_view name() const override { return name_; }
  const Backend& backend() const override { return backend_; }
  FetchAction request(const BackendCredentials* creds, int64_t now_s, sigv4::SigningKeyCache& keys) override;
  void changed_objects(std::vector<ObjectRef>& out) const override {
    if (call_.changes_object) out.push_back({&backend_, call_.key});
  }

 protected:
  // The common failures of a write (transport, 5xx, the backend's 4xx in our key space), or, for a 2xx, false.
  bool failed(const FetchResult& r, OpStep& out) const;

  std::string_view name_;
  const Backend& backend_;
  BackendCall call_;
  bool flat_;
};

// Forwarded query parameters named in `names`, taken out of `params`.
std::vector<http::QueryParam> take_params(std::vector<http::QueryParam>& params,
                                          std::initializer_list<std::string_view> names);

}  // namespace s3p
