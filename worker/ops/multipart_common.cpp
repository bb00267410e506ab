#include "worker/ops/multipart_common.h"

#include "worker/ops/write_answer.h"
#include "worker/s3/xml.h"

namespace s3p {

std::string open_result(std::string_view root) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<";
  out += root;
  out += " xmlns=\"";
  out += kS3Namespace;
  out += "\">";
  return out;
}

void append_owner(std::string& out, std::string_view element, std::string_view owner_id) {
  out += '<';
  out += element;
  out += '>';
  xml::append_element(out, "ID", owner_id);
  xml::append_element(out, "DisplayName", owner_id);
  out += "</";
  out += element;
  out += '>';
}

bool error_in_result(const xml::Document& doc, OpStep& out, bool flat) {
  if (doc.root().name() != "Error") return false;
  out = write_error(200, doc.root().child_text("Code"), flat);
  return true;
}

static bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool parse_result(const FetchResult& r, std::string_view root, xml::Document& doc, OpStep& out, bool flat) {
  if (!doc.parse(r.body)) {
    out = OpStep::fail(backend_fault(errors::BadGateway, "backend result is not XML"));
    return false;
  }
  if (error_in_result(doc, out, flat)) return false;
  // S3 names these roots *Result; some S3-compatible stores (moto among them) answer *Response.
  const std::string_view name = doc.root().name();
  const std::string_view stem = root.substr(0, root.size() - (ends_with(root, "Result") ? 6 : 0));
  if (name != root && !(name.size() == stem.size() + 8 && name.substr(0, stem.size()) == stem &&
                        name.substr(stem.size()) == "Response")) {
    out = OpStep::fail(backend_fault(errors::BadGateway, "backend result root is " + std::string(doc.root().name())));
    return false;
  }
  return true;
}

}  // namespace s3p
