#include "worker/ops/copy_result.h"

#include "worker/ops/multipart_common.h"
#include "worker/rules/http_date.h"
#include "worker/rules/iso8601.h"
#include "worker/s3/xml.h"
#include "worker/ops/write_answer.h"

namespace s3p {

OpStep CopyResultOp::on_response(FetchResult&& r) {
  OpStep step;
  xml::Document doc;
  const bool xml_result = dialect::of(backend_).capabilities().xml_results;
  if (failed(r, step) || (xml_result && !parse_result(r, root_, doc, step, flat_))) return step;
  if (then_properties_) {
    call_.step = dialect::WriteStep::SetProperties;
    call_.copy_source = nullptr;
    call_.long_running = false;
    call_.headers = std::move(*then_properties_);
    then_properties_.reset();
    if (const std::string* etag = find_header(r.headers, "etag")) call_.headers.push_back({"if-match", *etag});
    return OpStep::again();
  }
  std::string out = open_result(root_);
  if (xml_result) {
    xml::copy_fields(out, doc.root(), {"ETag", "LastModified"}, true);
  } else {
    // Copy Blob answers in headers: the new blob's ETag and Last-Modified. Within one account Azure copies at
    // once (x-ms-copy-status: success); a pending copy is answered too (README: Azure writes).
    int64_t t = 0;
    if (const std::string* lm = find_header(r.headers, "last-modified"); lm && parse_http_date(*lm, t))
      xml::append_element(out, "LastModified", format_iso8601(t));
    if (const std::string* etag = find_header(r.headers, "etag")) xml::append_element(out, "ETag", *etag);
  }
  out += "</";
  out += root_;
  out += '>';
  for (auto& h : r.headers)
    if ((passes_through_write(h.name) && h.name != "etag") || h.name == "x-amz-copy-source-version-id")
      step.headers.push_back(std::move(h));
  step.headers.push_back({"content-type", "application/xml"});
  step.body = Body{BodyKind::Bytes, std::move(out), 0};
  return step;
}

}  // namespace s3p
