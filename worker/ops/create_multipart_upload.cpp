#include "worker/ops/create_multipart_upload.h"

#include "worker/auth/authorize.h"
#include "worker/ops/minted_upload.h"
#include "worker/ops/multipart_common.h"
#include "worker/ops/put_object.h"
#include "worker/ops/single_request_op.h"
#include "worker/ops/write_answer.h"
#include "worker/s3/xml.h"

namespace s3p {

namespace {

class CreateMultipartUploadOp : public SingleRequestOp {
 public:
  CreateMultipartUploadOp(const Backend& b, BackendCall call, bool flat, std::string bucket, std::string key)
      : SingleRequestOp("CreateMultipartUpload", b, std::move(call), flat), bucket_(std::move(bucket)), key_(std::move(key)) {}

  OpStep on_response(FetchResult&& r) override {
    OpStep step;
    xml::Document doc;
    if (failed(r, step) || !parse_result(r, "InitiateMultipartUploadResult", doc, step, flat_)) return step;
    const std::string_view upload_id = doc.root().child_text("UploadId");
    if (upload_id.empty()) return OpStep::fail(backend_fault(errors::BadGateway, "no UploadId in the backend's answer"));
    std::string out = open_result("InitiateMultipartUploadResult");
    xml::append_element(out, "Bucket", bucket_);
    xml::append_element(out, "Key", key_);
    xml::append_element(out, "UploadId", upload_id);
    out += "</InitiateMultipartUploadResult>";
    for (auto& h : r.headers)
      if (passes_through_write(h.name) || h.name == "x-amz-checksum-algorithm" || h.name == "x-amz-checksum-type")
        step.headers.push_back(std::move(h));
    step.headers.push_back({"content-type", "application/xml"});
    step.body = Body{BodyKind::Bytes, std::move(out), 0};
    return step;
  }

 private:
  std::string bucket_, key_;
};

}  // namespace

Planned plan_create_multipart_upload(OpContext& ctx) {
  if (!auth::allows(ctx.caller, *ctx.account, *ctx.repo, kPermWrite, ctx.key))
    return Planned::refuse(errors::AccessDenied, "no write permission for this key");
  if (ctx.key.empty()) return Planned::refuse(errors::InvalidArgument, "empty key");
  BackendCall call;
  call.step = dialect::WriteStep::CreateUpload;
  call.key = ctx.backend_key();
  call.query = take_params(ctx.params, {"uploads"});
  // The object's headers (type, metadata, checksum algorithm and type, storage class…), not a body's.
  for (auto& h : PutObjectOp::forwarded_headers(ctx.headers))
    if (h.name != "content-md5" && h.name != "x-amz-decoded-content-length" && h.name != "x-amz-trailer" &&
        !starts_with(h.name, "if-"))
      call.headers.push_back(std::move(h));
  if (dialect::of(*ctx.repo->backend).capabilities().proxy_uploads) {
    // No backend call: the id is ours, and carries the object headers Complete applies.
    size_t size = 0;
    for (const Header& h : call.headers) size += h.name.size() + h.value.size() + 2;
    if (size > kMaxUploadHeaders)
      return Planned::refuse(errors::InvalidArgument, "object headers too large for an upload id (at most 2560 bytes)");
    const std::string id = upload_id_of(ctx, new_upload(ctx, std::move(call.headers)));
    std::string out = open_result("InitiateMultipartUploadResult");
    xml::append_element(out, "Bucket", ctx.account->name);
    xml::append_element(out, "Key", ctx.client_key());
    xml::append_element(out, "UploadId", id);
    out += "</InitiateMultipartUploadResult>";
    return Planned::xml(std::move(out));
  }
  return Planned::run(std::make_unique<CreateMultipartUploadOp>(*ctx.repo->backend, std::move(call), ctx.flat(),
                                                                ctx.account->name, ctx.client_key()));
}

}  // namespace s3p
