#include "worker/ops/list_parts.h"

#include "worker/auth/authorize.h"
#include "worker/http/uri.h"
#include "worker/ops/multipart_common.h"
#include "worker/ops/single_request_op.h"
#include "worker/s3/xml.h"

namespace s3p {

namespace {

class ListPartsOp : public SingleRequestOp {
 public:
  ListPartsOp(const Backend& b, BackendCall call, bool flat, std::string bucket, std::string key, std::string owner,
              bool url)
      : SingleRequestOp("ListParts", b, std::move(call), flat),
        bucket_(std::move(bucket)),
        key_(std::move(key)),
        owner_(std::move(owner)),
        url_(url) {}

  OpStep on_response(FetchResult&& r) override {
    OpStep step;
    xml::Document doc;
    if (failed(r, step) || !parse_result(r, "ListPartsResult", doc, step, flat_)) return step;
    const xml::Element root = doc.root();
    std::string out = open_result("ListPartsResult");
    xml::append_element(out, "Bucket", bucket_);
    xml::append_element(out, "Key", url_ ? http::uri_encode(key_, false) : key_);
    xml::copy_fields(out, root, {"UploadId", "PartNumberMarker", "NextPartNumberMarker", "MaxParts", "IsTruncated",
                                 "StorageClass", "ChecksumAlgorithm", "ChecksumType"});
    append_owner(out, "Initiator", owner_);
    append_owner(out, "Owner", owner_);
    for (xml::Element part = root.first(); part; part = part.next()) {
      if (part.name() != "Part") continue;
      out += "<Part>";
      xml::copy_fields(out, part, {"PartNumber", "LastModified", "ETag", "Size"}, true);
      out += "</Part>";
    }
    if (url_) xml::append_element(out, "EncodingType", "url");
    out += "</ListPartsResult>";
    step.headers.push_back({"content-type", "application/xml"});
    step.body = Body{BodyKind::Bytes, std::move(out), 0};
    return step;
  }

 private:
  std::string bucket_, key_, owner_;
  bool url_;
};

}  // namespace

Planned plan_list_parts(OpContext& ctx) {
  if (!auth::allows(ctx.caller, *ctx.account, *ctx.repo, kPermWrite, ctx.key))
    return Planned::refuse(errors::AccessDenied, "no write permission for this key");
  if (ctx.key.empty()) return Planned::refuse(errors::InvalidArgument, "empty key");
  bool url = false;
  for (const auto& p : ctx.params)
    if (p.name == "encoding-type") {
      if (p.value != "url") return Planned::refuse(errors::InvalidArgument, "Invalid Encoding Method specified in Request");
      url = true;
    }
  BackendCall call;
  call.method = "GET";
  call.key = ctx.backend_key();
  call.query = take_params(ctx.params, {"uploadId", "max-parts", "part-number-marker"});
  return Planned::run(std::make_unique<ListPartsOp>(*ctx.repo->backend, std::move(call), ctx.flat(), ctx.account->name,
                                                    ctx.client_key(), ctx.config.owner_id, url));
}

}  // namespace s3p
