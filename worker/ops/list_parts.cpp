#include "worker/ops/list_parts.h"

#include "worker/auth/authorize.h"
#include "worker/http/uri.h"
#include <algorithm>

#include "worker/ops/minted_upload.h"
#include "worker/ops/multipart_common.h"
#include "worker/ops/single_request_op.h"
#include "worker/s3/xml.h"
#include "worker/util/sort.h"

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

  // Proxy-minted uploads: the upload's id and nonce, and the page asked for.
  void minted(std::string upload_id, std::string nonce, uint32_t marker, uint32_t max_parts) {
    upload_id_ = std::move(upload_id);
    nonce_ = std::move(nonce);
    marker_ = marker;
    max_parts_ = max_parts;
  }

  OpStep on_response(FetchResult&& r) override {
    if (!nonce_.empty()) return from_block_list(std::move(r));
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
  // Get Block List (uncommitted) → this upload's parts: its blocks by their nonce, in part order. No blocks at
  // all (the blob does not exist) is an upload with no parts yet.
  OpStep from_block_list(FetchResult&& r) {
    struct Part {
      uint32_t number;
      std::string id, size;
    };
    std::vector<Part> parts;
    OpStep step;
    const bool none = r.outcome == FetchOutcome::Ok && r.status == 404;
    xml::Document doc;
    if (!none) {
      if (failed(r, step)) return step;
      if (!doc.parse(r.body) || doc.root().name() != "BlockList")
        return OpStep::fail(backend_fault(errors::BadGateway, "backend block list is not a BlockList"));
      for (xml::Element list = doc.root().first(); list; list = list.next()) {
        if (list.name() != "UncommittedBlocks") continue;
        for (xml::Element b = list.first(); b; b = b.next()) {
          uint32_t n = 0;
          const std::string_view name = b.child_text("Name");
          if (b.name() == "Block" && block_part(nonce_, name, n) && n > marker_)
            parts.push_back({n, std::string(name), std::string(b.child_text("Size"))});
        }
      }
    }
    util::sort(parts.begin(), parts.end(), [](const Part& a, const Part& b) { return a.number < b.number; });
    const bool truncated = parts.size() > max_parts_;
    if (truncated) parts.resize(max_parts_);
    std::string out = open_result("ListPartsResult");
    xml::append_element(out, "Bucket", bucket_);
    xml::append_element(out, "Key", url_ ? http::uri_encode(key_, false) : key_);
    xml::append_element(out, "UploadId", upload_id_);
    xml::append_element(out, "PartNumberMarker", std::to_string(marker_));
    if (truncated) xml::append_element(out, "NextPartNumberMarker", std::to_string(parts.back().number));
    xml::append_element(out, "MaxParts", std::to_string(max_parts_));
    xml::append_element(out, "IsTruncated", truncated ? "true" : "false");
    xml::append_element(out, "StorageClass", "STANDARD");
    append_owner(out, "Initiator", owner_);
    append_owner(out, "Owner", owner_);
    for (const Part& p : parts) {
      out += "<Part>";
      xml::append_element(out, "PartNumber", std::to_string(p.number));
      xml::append_element(out, "ETag", part_etag(p.id));
      xml::append_element(out, "Size", p.size);
      out += "</Part>";
    }
    if (url_) xml::append_element(out, "EncodingType", "url");
    out += "</ListPartsResult>";
    step = OpStep();
    step.headers.push_back({"content-type", "application/xml"});
    step.body = Body{BodyKind::Bytes, std::move(out), 0};
    return step;
  }

  std::string bucket_, key_, owner_;
  bool url_;
  std::string upload_id_, nonce_;
  uint32_t marker_ = 0, max_parts_ = 1000;
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
  call.step = dialect::WriteStep::ListParts;
  call.key = ctx.backend_key();
  MintedUpload upload;
  const bool minted = dialect::of(*ctx.repo->backend).capabilities().proxy_uploads;
  if (minted) {
    if (Failure f; !open_upload(ctx, upload, f)) return Planned::refuse(std::move(f));
  }
  std::string upload_id;
  uint32_t marker = 0, max_parts = 1000;
  for (const auto& p : ctx.params) {
    if (p.name == "uploadId") upload_id = p.value;
    auto number = [&](uint32_t& out, uint32_t limit) {
      if (p.value.empty() || p.value.size() > 5 || p.value.find_first_not_of("0123456789") != std::string::npos) return false;
      out = std::min<uint32_t>(static_cast<uint32_t>(std::stoul(p.value)), limit);
      return true;
    };
    if (minted && p.name == "max-parts" && (!number(max_parts, 1000) || max_parts == 0))
      return Planned::refuse(errors::InvalidArgument, "max-parts");
    if (minted && p.name == "part-number-marker" && !number(marker, 10000))
      return Planned::refuse(errors::InvalidArgument, "part-number-marker");
  }
  call.query = take_params(ctx.params, {"uploadId", "max-parts", "part-number-marker"});
  auto op = std::make_unique<ListPartsOp>(*ctx.repo->backend, std::move(call), ctx.flat(), ctx.account->name,
                                          ctx.client_key(), ctx.config.owner_id, url);
  if (minted) op->minted(std::move(upload_id), std::move(upload.nonce), marker, max_parts);
  return Planned::run(std::move(op));
}

}  // namespace s3p
