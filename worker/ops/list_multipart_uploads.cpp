#include "worker/ops/list_multipart_uploads.h"

#include "worker/auth/authorize.h"
#include "worker/dialect/dialect.h"
#include "worker/http/uri.h"
#include "worker/ops/multipart_common.h"
#include "worker/ops/single_request_op.h"
#include "worker/s3/xml.h"

namespace s3p {

namespace {

struct UploadsView {
  std::string bucket;        // the account
  std::string client_base;   // "{repo}/" ("" when flat): what our keys start with
  std::string backend_base;  // the repository's backend prefix
  std::string prefix, delimiter, key_marker;  // as the client sent them
  std::string owner;
  bool url = false;
};

class ListMultipartUploadsOp : public SingleRequestOp {
 public:
  ListMultipartUploadsOp(const Backend& b, BackendCall call, bool flat, UploadsView view)
      : SingleRequestOp("ListMultipartUploads", b, std::move(call), flat), v_(std::move(view)) {}

  OpStep on_response(FetchResult&& r) override {
    OpStep step;
    xml::Document doc;
    if (failed(r, step) || !parse_result(r, "ListMultipartUploadsResult", doc, step, flat_)) return step;
    const xml::Element root = doc.root();
    std::string out = open_result("ListMultipartUploadsResult");
    xml::append_element(out, "Bucket", v_.bucket);
    append_key(out, "KeyMarker", v_.key_marker, false);
    xml::copy_fields(out, root, {"UploadIdMarker"});
    if (std::string next; ours(root.child_text("NextKeyMarker"), next)) append_key(out, "NextKeyMarker", next, true);
    xml::copy_fields(out, root, {"NextUploadIdMarker"});
    if (!v_.delimiter.empty()) append_key(out, "Delimiter", v_.delimiter, true);
    append_key(out, "Prefix", v_.prefix, true);
    xml::copy_fields(out, root, {"MaxUploads", "IsTruncated"});
    for (xml::Element el = root.first(); el; el = el.next()) {
      std::string key;
      if (el.name() == "Upload" && ours(el.child_text("Key"), key)) {
        out += "<Upload>";
        append_key(out, "Key", key, true);
        xml::copy_fields(out, el, {"UploadId"});
        append_owner(out, "Initiator", v_.owner);
        append_owner(out, "Owner", v_.owner);
        xml::copy_fields(out, el, {"StorageClass", "Initiated", "ChecksumAlgorithm", "ChecksumType"});
        out += "</Upload>";
      } else if (el.name() == "CommonPrefixes" && ours(el.child_text("Prefix"), key)) {
        out += "<CommonPrefixes>";
        append_key(out, "Prefix", key, true);
        out += "</CommonPrefixes>";
      }
    }
    if (v_.url) xml::append_element(out, "EncodingType", "url");
    out += "</ListMultipartUploadsResult>";
    step.headers.push_back({"content-type", "application/xml"});
    step.body = Body{BodyKind::Bytes, std::move(out), 0};
    return step;
  }

 private:
  // A backend key in our key space; false for one outside the repository (never shown).
  bool ours(std::string_view backend_key, std::string& out) const {
    if (backend_key.empty() || backend_key.substr(0, v_.backend_base.size()) != v_.backend_base) return false;
    out = v_.client_base;
    out += backend_key.substr(v_.backend_base.size());
    return true;
  }
  void append_key(std::string& out, std::string_view name, std::string_view key, bool encode) const {
    xml::append_element(out, name, v_.url && encode ? http::uri_encode(key, false) : std::string(key));
  }

  UploadsView v_;
};

// The answer for a key marker past the repository's keys.
std::string nothing_after(const UploadsView& v) {
  std::string out = open_result("ListMultipartUploadsResult");
  xml::append_element(out, "Bucket", v.bucket);
  xml::append_element(out, "KeyMarker", v.key_marker);
  xml::append_element(out, "Prefix", v.url ? http::uri_encode(v.prefix, false) : v.prefix);
  xml::append_element(out, "IsTruncated", "false");
  out += "</ListMultipartUploadsResult>";
  return out;
}

}  // namespace

Planned plan_list_multipart_uploads(OpContext& ctx) {
  const Account& account = *ctx.account;
  UploadsView v;
  v.bucket = account.name;
  v.owner = ctx.config.owner_id;
  std::vector<http::QueryParam> forwarded;
  for (auto& p : ctx.params) {
    if (p.name == "prefix") v.prefix = p.value;
    else if (p.name == "delimiter") v.delimiter = p.value;
    else if (p.name == "key-marker") v.key_marker = p.value;
    else if (p.name == "encoding-type") {
      if (p.value != "url") return Planned::refuse(errors::InvalidArgument, "Invalid Encoding Method specified in Request");
      v.url = true;
    } else if (p.name == "upload-id-marker" || p.name == "max-uploads") forwarded.push_back(p);
  }
  const size_t slash = v.prefix.find('/');
  if (!account.flat && slash == std::string::npos)
    return Planned::refuse(errors::NotImplemented, "ListMultipartUploads needs a prefix naming a repository");
  const Repository* repo = account.flat ? &account.repositories.front() : account.find(std::string_view(v.prefix).substr(0, slash));
  const std::string_view rest = account.flat ? std::string_view(v.prefix) : std::string_view(v.prefix).substr(slash + 1);
  if (!repo || !auth::allows(ctx.caller, account, *repo, kPermWrite, rest))
    return Planned::refuse(errors::AccessDenied, "no write permission for this prefix");
  if (!dialect::of(*repo->backend).capabilities().multipart)
    return Planned::refuse(errors::NotImplemented, "ListMultipartUploads on a backend without multipart uploads");
  // The proxy's upload ids live only in the clients' hands (ops/minted_upload.h): there is nothing to list.
  if (dialect::of(*repo->backend).capabilities().proxy_uploads)
    return Planned::refuse(errors::NotImplemented,
                           "ListMultipartUploads on an Azure repository: its upload ids are kept by the clients only");
  v.client_base = account.flat ? "" : repo->name + "/";
  v.backend_base = repo->prefix;

  forwarded.push_back({"prefix", repo->prefix + std::string(rest)});
  forwarded.push_back({"uploads", ""});
  if (!v.delimiter.empty()) forwarded.push_back({"delimiter", v.delimiter});
  // A marker before the repository starts at its beginning; one past it has nothing left to list.
  if (starts_with(v.key_marker, v.client_base) && v.key_marker.size() > v.client_base.size())
    forwarded.push_back({"key-marker", repo->prefix + v.key_marker.substr(v.client_base.size())});
  else if (v.key_marker > v.client_base)
    return Planned::xml(nothing_after(v));
  BackendCall call;
  call.step = dialect::WriteStep::ListUploads;
  call.query = std::move(forwarded);
  return Planned::run(std::make_unique<ListMultipartUploadsOp>(*repo->backend, std::move(call), account.flat, std::move(v)));
}

}  // namespace s3p
