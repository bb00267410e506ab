#include "worker/ops/complete_multipart_upload.h"

#include "worker/auth/authorize.h"
#include "worker/crypto/sha256.h"
#include "worker/http/uri.h"
#include "worker/ops/client_body.h"
#include "worker/ops/minted_upload.h"
#include "worker/ops/multipart_common.h"
#include "worker/ops/single_request_op.h"
#include "worker/ops/upload_part.h"
#include "worker/ops/write_answer.h"
#include "worker/s3/xml.h"
#include "worker/s3/xml_records.h"

namespace s3p {

namespace {

class CompleteMultipartUploadOp : public SingleRequestOp {
 public:
  CompleteMultipartUploadOp(const Backend& b, BackendCall call, bool flat, std::string bucket, std::string key)
      : SingleRequestOp("CompleteMultipartUpload", b, std::move(call), flat), bucket_(std::move(bucket)), key_(std::move(key)) {}

  OpStep on_response(FetchResult&& r) override {
    OpStep step;
    xml::Document doc;
    const bool xml_result = dialect::of(backend_).capabilities().xml_results;
    if (failed(r, step) || (xml_result && !parse_result(r, "CompleteMultipartUploadResult", doc, step, flat_))) return step;
    std::string out = open_result("CompleteMultipartUploadResult");
    xml::append_element(out, "Location", "/" + http::uri_encode(bucket_, true) + "/" + http::uri_encode(key_, false));
    xml::append_element(out, "Bucket", bucket_);
    xml::append_element(out, "Key", key_);
    if (xml_result) xml::copy_fields(out, doc.root(), {"ETag"}, true);
    else if (const std::string* etag = find_header(r.headers, "etag")) xml::append_element(out, "ETag", *etag);  // Put Block List's
    out += "</CompleteMultipartUploadResult>";
    for (auto& h : r.headers)
      if (passes_through_write(h.name) && h.name != "etag") step.headers.push_back(std::move(h));
    step.headers.push_back({"content-type", "application/xml"});
    step.body = Body{BodyKind::Bytes, std::move(out), 0};
    return step;
  }

 private:
  std::string bucket_, key_;
};

constexpr uint32_t kMaxParts = 10000;

uint32_t part_number(std::string_view text) {
  uint32_t n = 0;
  for (char c : text) n = n * 10 + static_cast<uint32_t>(c - '0');
  return n;
}

}  // namespace

Parsed<std::string> complete_document(std::string_view body, std::vector<NamedPart>* named) {
  auto malformed = [](std::string why) { return Parsed<std::string>::fail(client_fault(errors::MalformedXML, std::move(why))); };
  std::vector<xml::Entry> parts;
  std::string why;
  // 10000 parts; one more is refused as soon as it starts.
  if (!xml::read_entries(body, "CompleteMultipartUpload", {kMaxParts + 1}, parts, why))
    return malformed("CompleteMultipartUpload document: " + why);
  std::string out = open_result("CompleteMultipartUpload");
  uint32_t last = 0, count = 0;
  for (const xml::Entry& part : parts) {
    if (part.name != "Part") return malformed("unexpected element " + std::string(part.name));
    const std::string* number = part.field("PartNumber");
    const std::string* etag = part.field("ETag");
    if (!number || !valid_part_number(*number)) return malformed("bad PartNumber");
    if (!etag || etag->empty()) return malformed("Part without ETag");
    const uint32_t n = part_number(*number);
    if (n <= last) return Parsed<std::string>::fail(client_fault(errors::InvalidPartOrder, "parts out of order"));
    last = n;
    if (++count > kMaxParts) return malformed("more than 10000 parts");
    if (named) named->push_back({n, *etag});
    // Re-rendered from the fields the backend needs (the part, its ETag, its checksums): nothing else goes on.
    out += "<Part>";
    for (const xml::Field& f : part.fields)
      if (f.name == "PartNumber" || f.name == "ETag" || starts_with(f.name, "Checksum")) xml::append_element(out, f.name, f.text);
    out += "</Part>";
  }
  if (count == 0) return malformed("no parts");
  out += "</CompleteMultipartUpload>";
  return Parsed<std::string>::of(std::move(out));
}

Planned plan_complete_multipart_upload(OpContext& ctx) {
  if (!auth::allows(ctx.caller, *ctx.account, *ctx.repo, kPermWrite, ctx.key))
    return Planned::refuse(errors::AccessDenied, "no write permission for this key");
  if (ctx.key.empty()) return Planned::refuse(errors::InvalidArgument, "empty key");
  if (!ctx.body_read) return Planned::read_body_first(kMaxXmlBody);
  if (Failure f; !body_matches_declared(ctx.body, ctx.payload_hash, ctx.headers, f)) return Planned::refuse(std::move(f));
  std::vector<NamedPart> parts;
  Parsed<std::string> doc = complete_document(ctx.body, &parts);
  if (!doc.ok) return Planned::refuse(std::move(doc.failure));

  BackendCall call;
  if (dialect::of(*ctx.repo->backend).capabilities().proxy_uploads) {
    // Put Block List of the named parts' blocks, with the object headers the upload was created with. A part
    // never uploaded is a block the backend does not have (InvalidBlockList: InvalidPart). The parts' ETags are
    // not checked: a block's MD5 is not kept anywhere the proxy can read it back (README: Azure writes).
    MintedUpload minted;
    if (Failure f; !open_upload(ctx, minted, f)) return Planned::refuse(std::move(f));
    for (const NamedPart& p : parts) call.blocks.push_back(block_id(minted.nonce, p.number));
    call.step = dialect::WriteStep::CompleteUpload;
    call.long_running = true;
    call.changes_object = true;
    call.key = ctx.backend_key();
    call.headers = std::move(minted.headers);
    for (const auto& h : ctx.headers)
      if ((h.name == "if-match" || h.name == "if-none-match") && !has_ctl_break(h.value)) call.headers.push_back(h);
    return Planned::run(std::make_unique<CompleteMultipartUploadOp>(*ctx.repo->backend, std::move(call), ctx.flat(),
                                                                    ctx.account->name, ctx.client_key()));
  }
  call.step = dialect::WriteStep::CompleteUpload;
  call.long_running = true;
  call.changes_object = true;
  call.key = ctx.backend_key();
  call.query = take_params(ctx.params, {"uploadId"});
  call.payload_hash = crypto::hex(crypto::sha256(doc.value));
  call.body = Body{BodyKind::Bytes, std::move(doc.value), 0};
  call.headers.push_back({"content-type", "application/xml"});
  for (const auto& h : ctx.headers)
    if ((h.name == "if-match" || h.name == "if-none-match" || h.name == "x-amz-mp-object-size" ||
         (starts_with(h.name, "x-amz-checksum-") )) && !has_ctl_break(h.value))
      call.headers.push_back(h);
  return Planned::run(std::make_unique<CompleteMultipartUploadOp>(*ctx.repo->backend, std::move(call), ctx.flat(),
                                                                  ctx.account->name, ctx.client_key()));
}

}  // namespace s3p
