#include "worker/ops/copy_result.h"

#include "worker/ops/multipart_common.h"
#include "worker/ops/write_answer.h"

namespace s3p {

OpStep CopyResultOp::on_response(FetchResult&& r) {
  OpStep step;
  xml::Document doc;
  if (failed(r, step) || !parse_result(r, root_, doc, step, flat_)) return step;
  std::string out = open_result(root_);
  xml::copy_fields(out, doc.root(), {"ETag", "LastModified"}, true);
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
