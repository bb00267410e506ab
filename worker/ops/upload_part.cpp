#include "worker/ops/upload_part.h"

#include "worker/auth/authorize.h"
#include "worker/crypto/base64.h"
#include "worker/crypto/sha256.h"
#include "worker/ops/minted_upload.h"
#include "worker/ops/put_object.h"
#include "worker/ops/single_request_op.h"
#include "worker/ops/upload_body.h"
#include "worker/ops/write_answer.h"

namespace s3p {

namespace {

class UploadPartOp : public SingleRequestOp {
 public:
  UploadPartOp(const Backend& b, BackendCall call, bool flat) : SingleRequestOp("UploadPart", b, std::move(call), flat) {}

  OpStep on_response(FetchResult&& r) override {
    OpStep step;
    if (failed(r, step)) return step;
    step.status = 200;  // Azure's Put Block answers 201
    if (!call_.block_id.empty()) {
      // A block: S3 clients (s3cmd) check a part's ETag against the part's MD5. Azure's Content-MD5 of the block
      // when it sends one, else the client's Content-MD5, which Azure verified before accepting the block; else
      // the stable value of minted_upload.h.
      const std::string* md5 = find_header(r.headers, "content-md5");
      if (!md5) md5 = find_header(call_.headers, "content-md5");
      std::string raw;
      if (md5 && b64::decode(*md5, raw) && raw.size() == 16)
        step.headers.push_back({"etag", "\"" + crypto::hex(reinterpret_cast<const uint8_t*>(raw.data()), 16) + "\""});
      else
        step.headers.push_back({"etag", part_etag(call_.block_id)});
      return step;
    }
    for (auto& h : r.headers)
      if (passes_through_write(h.name)) step.headers.push_back(std::move(h));
    return step;
  }
};

}  // namespace

bool valid_part_number(std::string_view text) {
  if (text.empty() || text.size() > 5 || text.front() == '0') return false;
  uint32_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<uint32_t>(c - '0');
  }
  return n >= 1 && n <= 10000;
}

Planned plan_upload_part(OpContext& ctx) {
  if (!auth::allows(ctx.caller, *ctx.account, *ctx.repo, kPermWrite, ctx.key))
    return Planned::refuse(errors::AccessDenied, "no write permission for this key");
  if (ctx.key.empty()) return Planned::refuse(errors::InvalidArgument, "empty key");
  BackendCall call;
  call.step = dialect::WriteStep::UploadPart;
  call.key = ctx.backend_key();
  uint32_t part = 0;
  for (const auto& p : ctx.params)
    if (p.name == "partNumber") {
      if (!valid_part_number(p.value))
        return Planned::refuse(errors::InvalidArgument, "Part number must be an integer between 1 and 10000, inclusive");
      for (char c : p.value) part = part * 10 + static_cast<uint32_t>(c - '0');
    }
  if (dialect::of(*ctx.repo->backend).capabilities().proxy_uploads) {
    MintedUpload minted;
    if (Failure f; !open_upload(ctx, minted, f)) return Planned::refuse(std::move(f));
    if (part == 0) return Planned::refuse(errors::InvalidArgument, "no partNumber");
    call.block_id = block_id(minted.nonce, part);
  }
  call.query = take_params(ctx.params, {"partNumber", "uploadId"});
  UploadBody upload;
  if (Failure f; !plan_upload_body(ctx, upload, f)) return Planned::refuse(std::move(f));
  call.length = upload.length;
  call.body = std::move(upload.body);
  call.payload_hash = std::move(upload.payload_hash);
  call.headers = std::move(upload.headers);
  call.mode = ResponseMode::StreamUnlessError;
  call.max_body = 64 * 1024;
  return Planned::run(std::make_unique<UploadPartOp>(*ctx.repo->backend, std::move(call), ctx.flat()));
}

}  // namespace s3p
