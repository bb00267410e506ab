#include "worker/dialect/azure_dialect.h"

#include <algorithm>

#include "worker/azure/errors.h"
#include "worker/azure/list_blobs.h"
#include "worker/azure/s3_view.h"
#include "worker/rules/http_date.h"
#include "worker/s3/xml.h"
#include "worker/sign/azure_shared_key.h"

namespace s3p::dialect {

std::string azure_path(const Backend& b, std::string_view key) {
  std::string path;
  path.reserve(b.base_path.size() + b.bucket.size() + key.size() * 3 + 2);
  path += b.base_path;
  path += '/';
  path += http::uri_encode(b.bucket, true);
  if (!key.empty()) {
    path += '/';
    path += http::uri_encode(key, false);
  }
  return path;
}

namespace {

bool usable(const BackendCredentials& c) {
  switch (c.kind) {
    case BackendCredentials::Kind::SharedKey: return !c.shared_key.empty();
    case BackendCredentials::Kind::Bearer: return !c.bearer.empty();
    case BackendCredentials::Kind::Sas: return !c.sas_secret.empty();
    default: return false;
  }
}

// The request as Azure gets it: URL, x-ms-date and x-ms-version, the given headers, and what authorizes it: the
// Shared Key signature over all of them, an Entra access token ("Authorization: Bearer", which needs x-ms-version
// 2017-11-09 or later: kApiVersion is), or a SAS the host appends to the URL (and to Copy Blob's source URL).
// Refused (empty url) for credentials of another kind, or a header or query that cannot be signed (CR, LF, NUL).
FetchAction azure_request(const Backend& b, std::string_view method, std::string_view key,
                          std::vector<http::QueryParam> query, Headers headers, const BackendCredentials* creds,
                          Signing s) {
  if (b.dialect != BackendDialect::Azure) return FetchAction{};
  if (creds && !usable(*creds)) return FetchAction{};
  const std::string path = azure_path(b, key);
  const std::string qs = sigv4::canonical_query(query);  // RFC 3986-encoded, sorted: Azure reads any order
  headers.push_back({"x-ms-date", format_http_date(s.now_s)});
  headers.push_back({"x-ms-version", std::string(azure::kApiVersion)});
  if (creds && creds->kind == BackendCredentials::Kind::SharedKey) {
    const azure::SharedKeyRequest req{method, b.account, path, &query, &headers};
    std::string authorization;
    if (!azure::authorization(req, creds->shared_key, authorization)) return FetchAction{};
    headers.push_back({"authorization", std::move(authorization)});
  } else {
    for (const Header& h : headers)
      if (has_ctl_break(h.value)) return FetchAction{};
    if (creds && creds->kind == BackendCredentials::Kind::Bearer) {
      if (has_ctl_break(creds->bearer)) return FetchAction{};
      headers.push_back({"authorization", "Bearer " + std::string(creds->bearer)});
    }
  }
  FetchAction f;
  f.method = std::string(method);
  f.url.reserve(b.scheme.size() + b.authority.size() + path.size() + qs.size() + 5);
  f.url.append(b.scheme).append("://").append(b.authority).append(path);
  if (!qs.empty()) f.url.append("?").append(qs);
  f.headers = std::move(headers);
  f.timeout_ms = b.timeout_ms;
  f.mode = ResponseMode::StreamUnlessError;
  f.max_body = 64 * 1024;
  if (creds && creds->kind == BackendCredentials::Kind::Sas) {
    f.url_secret = std::string(creds->sas_secret);
    for (const Header& h : f.headers)
      if (h.name == "x-ms-copy-source") f.url_secret_header = h.name;  // the source is read with the same SAS
  }
  return f;
}

// The S3 forms of ETags and metadata names (azure/s3_view.h) back in Azure's, for every header the dialect sends.
Header meta_to_azure(const Header& h) { return {"x-ms-meta-" + azure::meta_name_to_azure(std::string_view(h.name).substr(11)), h.value}; }
Header condition_to_azure(const Header& h) { return {h.name, azure::etag_condition_to_azure(h.value)}; }

// The client's object headers (S3's names) as Azure's, the groups a request takes: Content-MD5 where Azure checks
// it against the body it gets (Put Blob, Put Block); metadata as x-ms-meta-*; the blob's properties as x-ms-blob-*
// (Put Blob, Put Block List and Set Blob Properties read them); the object conditions. The rest has no Azure form
// and is not sent (worker/README.md "Azure writes" lists what).
enum HeaderGroups : unsigned { kMd5 = 1, kMetadata = 2, kProperties = 4, kConditions = 8 };
void object_headers(const Headers* in, Headers& out, unsigned groups) {
  if (!in) return;
  static constexpr std::pair<std::string_view, std::string_view> kBlobProperties[] = {
      {"content-type", "x-ms-blob-content-type"},          {"content-encoding", "x-ms-blob-content-encoding"},
      {"content-language", "x-ms-blob-content-language"},  {"content-disposition", "x-ms-blob-content-disposition"},
      {"cache-control", "x-ms-blob-cache-control"}};
  for (const Header& h : *in) {
    if (starts_with(h.name, "x-amz-meta-")) {
      if (groups & kMetadata) out.push_back(meta_to_azure(h));
      continue;
    }
    if ((groups & kMd5) && h.name == "content-md5") out.push_back(h);
    if ((groups & kConditions) && (h.name == "if-match" || h.name == "if-none-match")) out.push_back(condition_to_azure(h));
    if (groups & kProperties)
      for (const auto& [s3, az] : kBlobProperties)
        if (h.name == s3) out.push_back({std::string(az), h.value});
  }
}

// S3's "null" version: the object as written without versioning. Azure's base blob is that (its versions are
// timestamps; a container that never had versioning has only the base blob), so no versionid is sent.
bool is_null_version(std::string_view v) { return v == "null"; }

bool is_condition_or_range(std::string_view n) {
  return n == "range" || n == "if-match" || n == "if-none-match" || n == "if-modified-since" ||
         n == "if-unmodified-since";
}

class AzureDialect final : public Dialect {
 public:
  std::string_view name() const override { return "azure"; }
  const Capabilities& capabilities() const override {
    // Writes: Put Blob, Delete Blob (one per key: no batch), Copy Blob, multipart as Put Block / Put Block List.
    static const Capabilities caps{false, true, true, false, true, false, false, true, false};
    return caps;
  }

  std::string_view unsupported_read(const Headers& forwarded, const std::vector<http::QueryParam>& query) const override {
    for (const auto& p : query)
      if (p.name == "partNumber") return "partNumber on an Azure backend";
    for (const Header& h : forwarded)
      if (starts_with(h.name, "x-amz-server-side-encryption-customer-")) return "SSE-C on an Azure backend";
    return {};
  }

  FetchAction read(const Backend& b, const ObjectRead& r, const BackendCredentials* creds, Signing s) const override {
    if (r.key.empty()) return FetchAction{};  // the container itself is no blob
    Headers h;
    if (r.headers)
      for (const Header& x : *r.headers) {
        if (!is_condition_or_range(x.name)) continue;  // checksum mode: Azure has none to send
        if (x.name == "range" && starts_with(x.value, "bytes=-")) return FetchAction{};  // resolved before (get_object)
        // The edge cache's chunk fetches and revalidations carry the ETag it was answered, in the S3 form.
        h.push_back(x.name == "if-match" || x.name == "if-none-match" ? condition_to_azure(x) : x);
      }
    std::vector<http::QueryParam> q;
    if (r.query)
      for (const auto& p : *r.query)
        if (p.name == "versionId" && !is_null_version(p.value)) q.push_back({"versionid", p.value, true});
    return azure_request(b, r.head ? "HEAD" : "GET", r.key, std::move(q), std::move(h), creds, s);
  }

  FetchAction list(const Backend& b, const ListCall& c, const BackendCredentials* creds, Signing s) const override {
    std::vector<http::QueryParam> q;
    auto add = [&](const char* name, std::string value) { q.push_back({name, std::move(value), true}); };
    add("restype", "container");
    add("comp", "list");
    if (!c.prefix.empty()) add("prefix", std::string(c.prefix));
    if (!c.delimiter.empty()) add("delimiter", std::string(c.delimiter));
    add("maxresults", std::to_string(c.max_keys == 0 ? 1 : c.max_keys));
    if (!c.token.empty()) add("marker", std::string(c.token));
    FetchAction f = azure_request(b, "GET", "", std::move(q), {}, creds, s);
    f.mode = ResponseMode::Buffer;
    f.max_body = 16 << 20;  // a 1000-blob page is ~650 KB
    return f;
  }

  FetchAction probe_bucket(const Backend& b, const BackendCredentials* creds, Signing s) const override {
    return azure_request(b, "HEAD", "", {{"restype", "container", true}}, {}, creds, s);
  }

  FetchAction write(const Backend& b, const ObjectWrite& w, const BackendCredentials* creds, Signing s) const override {
    if (w.key.empty()) return FetchAction{};
    Headers h;
    std::vector<http::QueryParam> q;
    std::string_view method = "PUT";
    Body body;
    int64_t length = 0;  // Shared Key signs Content-Length, so a body's must be known here
    switch (w.step) {
      case WriteStep::Put:
        h.push_back({"x-ms-blob-type", "BlockBlob"});
        object_headers(w.headers, h, kMd5 | kMetadata | kProperties | kConditions);
        body = w.body;
        length = w.length;
        break;
      case WriteStep::Delete:
        method = "DELETE";
        if (w.query)
          for (const auto& p : *w.query)
            if (p.name == "versionId" && !is_null_version(p.value)) q.push_back({"versionid", p.value, true});
        break;
      case WriteStep::Copy: {
        if (!w.copy_source || w.copy_source->dialect != BackendDialect::Azure) return FetchAction{};
        // Copy Blob within the account: the source by URL (Shared Key or the Entra token of this request authorizes
        // reading it; a SAS is appended to the source URL by the host too).
        std::string url = w.copy_source->scheme + "://" + w.copy_source->authority + azure_path(*w.copy_source, w.copy_source_key);
        if (!w.copy_source_version.empty() && !is_null_version(w.copy_source_version)) url += "?versionid=" + http::uri_encode(w.copy_source_version, true);
        h.push_back({"x-ms-copy-source", std::move(url)});
        bool replace = false;
        if (w.headers)
          for (const Header& x : *w.headers) {
            if (x.name == "x-amz-metadata-directive") replace = x.value == "REPLACE";
            static constexpr std::pair<std::string_view, std::string_view> kSource[] = {
                {"x-amz-copy-source-if-match", "x-ms-source-if-match"},
                {"x-amz-copy-source-if-none-match", "x-ms-source-if-none-match"},
                {"x-amz-copy-source-if-modified-since", "x-ms-source-if-modified-since"},
                {"x-amz-copy-source-if-unmodified-since", "x-ms-source-if-unmodified-since"}};
            for (const auto& [s3, az] : kSource)
              if (x.name == s3)
                h.push_back({std::string(az), s3.substr(s3.size() - 5) == "match" ? azure::etag_condition_to_azure(x.value) : x.value});
          }
        // COPY keeps the source's metadata (Azure copies it when none is given); REPLACE sends the new metadata.
        // Copy Blob takes no blob properties: a REPLACE's Content-Type etc. follow in a SetProperties step.
        if (replace && w.headers)
          for (const Header& x : *w.headers)
            if (starts_with(x.name, "x-amz-meta-")) h.push_back(meta_to_azure(x));
        object_headers(w.headers, h, kConditions);
        break;
      }
      case WriteStep::SetProperties:
        // Set Blob Properties: every x-ms-blob-* property it does not name is cleared — S3's REPLACE.
        q.push_back({"comp", "properties", true});
        object_headers(w.headers, h, kProperties | kConditions);  // If-Match: the copy's ETag
        break;
      case WriteStep::UploadPart:
        if (w.block_id.empty()) return FetchAction{};
        q.push_back({"comp", "block", true});
        q.push_back({"blockid", std::string(w.block_id), true});
        object_headers(w.headers, h, kMd5);
        body = w.body;
        length = w.length;
        break;
      case WriteStep::CompleteUpload: {
        if (!w.blocks) return FetchAction{};
        q.push_back({"comp", "blocklist", true});
        std::string doc = "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>";
        for (const std::string& id : *w.blocks) doc.append("<Latest>").append(id).append("</Latest>");  // base64: no escaping
        doc += "</BlockList>";
        object_headers(w.headers, h, kMetadata | kProperties | kConditions);
        length = static_cast<int64_t>(doc.size());
        body = Body{BodyKind::Bytes, std::move(doc), 0};
        break;
      }
      case WriteStep::ListParts:
        method = "GET";
        q.push_back({"comp", "blocklist", true});
        q.push_back({"blocklisttype", "uncommitted", true});
        break;
      default: return FetchAction{};  // DeleteBatch, CopyPart, CreateUpload, AbortUpload: not Azure requests
    }
    if (length < 0) return FetchAction{};
    if (length > 0) h.push_back({"content-length", std::to_string(length)});
    FetchAction f = azure_request(b, method, w.key, std::move(q), std::move(h), creds, s);
    if (f.url.empty()) return f;
    // Signed, not sent: the host sets Content-Length from the body it streams (a fixed-length stream).
    f.headers.erase(std::remove_if(f.headers.begin(), f.headers.end(), [](const Header& x) { return x.name == "content-length"; }),
                    f.headers.end());
    f.body = std::move(body);
    if (w.step == WriteStep::ListParts) {
      f.mode = ResponseMode::Buffer;
      f.max_body = 4 << 20;  // 10000 blocks of ~150 bytes
    }
    return f;
  }

  void answer_headers(Headers& h) const override {
    for (Header& x : h) {
      if (starts_with(x.name, "x-ms-meta-")) {
        x.name = "x-amz-meta-" + azure::meta_name_to_s3(std::string_view(x.name).substr(10));
      } else if (x.name == "etag") {
        x.value = azure::etag_to_s3(x.value);  // every answer's: reads, writes, copies, Put Block List
      } else if (x.name == "x-ms-access-tier") {
        // Hot is S3's STANDARD, which S3 does not send.
        const std::string& t = x.value;
        if (t == "Cool" || t == "Cold") x = {"x-amz-storage-class", "STANDARD_IA"};
        else if (t == "Archive") x = {"x-amz-storage-class", "GLACIER"};
      }
    }
  }

  Classified classify(const FetchResult& r) const override {
    Classified c;
    if (const std::string* code = find_header(r.headers, "x-ms-error-code")) c.code = *code;
    else if (!r.body.empty()) c.code = xml::error_code_of(r.body);
    c.error = azure::classify_error(r.status, c.code);
    return c;
  }

  bool render_listing(std::string_view body, const ListView& v, std::string& out, std::string& error,
                      xml::ListPage* page) const override {
    azure::ListRender r;
    r.backend_prefix = v.backend_prefix;
    r.client_prefix = v.client_prefix;
    r.bucket = v.bucket;
    r.v2 = v.v2;
    r.url_encoded = v.url_encoded;
    r.prefix = v.prefix;
    r.delimiter = v.delimiter;
    r.max_keys = v.max_keys;
    r.continuation_token = v.continuation_token;
    r.start_after = v.start_after;
    if (v.owners) r.owner_id = v.owner_id;
    r.seal_marker = v.seal_next;
    return azure::render_listing(body, r, out, error, page);
  }
};

}  // namespace

const Dialect& azure() {
  static const AzureDialect d;
  return d;
}

}  // namespace s3p::dialect
