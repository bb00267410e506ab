#include "worker/s3/xml.h"

#include <tinyxml2.h>

namespace s3p::xml {

void append_element(std::string& out, std::string_view name, std::string_view text) {
  out += '<';
  out += name;
  out += '>';
  append_escaped(out, text);
  out += "</";
  out += name;
  out += '>';
}

std::string error_document(std::string_view code, std::string_view message, std::string_view resource,
                           std::string_view request_id) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>";
  append_element(out, "Code", code);
  append_element(out, "Message", message);
  if (!resource.empty()) append_element(out, "Resource", resource);
  append_element(out, "RequestId", request_id);
  out += "</Error>";
  return out;
}

std::string list_buckets(std::string_view owner_id, const std::vector<std::string>& names,
                         std::string_view creation_date, std::string_view continuation_token, std::string_view prefix) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<ListAllMyBucketsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Owner>";
  append_element(out, "ID", owner_id);
  append_element(out, "DisplayName", owner_id);
  out += "</Owner><Buckets>";
  for (const auto& n : names) {
    out += "<Bucket>";
    append_element(out, "Name", n);
    append_element(out, "CreationDate", creation_date);
    out += "</Bucket>";
  }
  out += "</Buckets>";
  if (!continuation_token.empty()) append_element(out, "ContinuationToken", continuation_token);
  if (!prefix.empty()) append_element(out, "Prefix", prefix);
  out += "</ListAllMyBucketsResult>";
  return out;
}

std::string bucket_location() {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"></LocationConstraint>";
}

std::string error_code_of(std::string_view document) {
  tinyxml2::XMLDocument doc;
  if (doc.Parse(document.data(), document.size()) != tinyxml2::XML_SUCCESS) return "";
  const tinyxml2::XMLElement* root = doc.RootElement();
  if (!root) return "";
  // S3: <Error><Code>; STS: <ErrorResponse><Error><Code>.
  const tinyxml2::XMLElement* err = std::string_view(root->Name()) == "Error" ? root : root->FirstChildElement("Error");
  const tinyxml2::XMLElement* code = err ? err->FirstChildElement("Code") : nullptr;
  return code && code->GetText() ? code->GetText() : "";
}

}  // namespace s3p::xml
