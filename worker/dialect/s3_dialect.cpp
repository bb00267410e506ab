#include "worker/dialect/s3_dialect.h"

#include "worker/dialect/gcs_dialect.h"
#include "worker/s3/backend_errors.h"
#include "worker/s3/xml.h"

namespace s3p::dialect {

namespace {
FetchAction s3_request_unchecked(const BackendTarget& target, std::string_view method, const Headers& forwarded,
                                 const BackendCredentials* creds, Signing s);
}  // namespace

FetchAction s3_request(const BackendTarget& target, std::string_view method, const Headers& forwarded,
                       const BackendCredentials* creds, Signing s) {
  const Backend& b = *target.backend;
  // GCS's XML API takes S3's requests (dialect/gcs_dialect.h): without S3's checksum headers, and with a bearer
  // token as an alternative to HMAC keys.
  const bool gcs = b.dialect == BackendDialect::Gcs;
  if (b.dialect != BackendDialect::S3 && !gcs) return FetchAction{};
  const bool bearer = gcs && creds && creds->kind == BackendCredentials::Kind::Bearer;
  if (bearer && (creds->bearer.empty() || has_ctl_break(creds->bearer))) return FetchAction{};
  if (creds && !bearer && (creds->kind != BackendCredentials::Kind::SigV4 || !creds->sigv4)) return FetchAction{};
  if (gcs) {
    const Headers kept = gcs_forwardable(forwarded);
    const BackendCredentials* keys = bearer ? nullptr : creds;  // a bearer request is sent unsigned, then authorized
    FetchAction f = s3_request_unchecked(target, method, kept, keys, s);
    if (bearer && !f.url.empty()) f.headers.push_back({"authorization", "Bearer " + std::string(creds->bearer)});
    return f;
  }
  return s3_request_unchecked(target, method, forwarded, creds, s);
}

namespace {

// s3_request after its checks on the dialect and the kind of credentials.
FetchAction s3_request_unchecked(const BackendTarget& target, std::string_view method, const Headers& forwarded,
                                 const BackendCredentials* creds, Signing s) {
  const Backend& b = *target.backend;
  if (target.scope == BackendTarget::Scope::Object && target.key.empty()) return FetchAction{};  // refused
  if (target.scope == BackendTarget::Scope::Bucket && !target.key.empty()) return FetchAction{};
  std::string path;
  path.reserve(b.bucket.size() + target.key.size() + 8);
  path += '/';
  path += http::uri_encode(b.bucket, true);
  path += '/';
  path += http::uri_encode(target.key, false);
  std::string query = sigv4::canonical_query(target.query);

  FetchAction f;
  f.method = std::string(method);
  f.url.reserve(b.scheme.size() + b.authority.size() + path.size() + query.size() + 5);
  f.url += b.scheme;
  f.url += "://";
  f.url += b.authority;
  f.url += path;
  if (!query.empty()) {
    f.url += '?';
    f.url += query;
  }
  f.body = target.body;
  f.timeout_ms = b.timeout_ms;
  f.mode = ResponseMode::StreamUnlessError;
  f.max_body = 64 * 1024;

  if (creds) {
    std::vector<sigv4::Header> signed_headers;
    signed_headers.reserve(forwarded.size() + 5);
    signed_headers.push_back({"host", b.authority});
    for (const auto& h : forwarded) signed_headers.push_back({h.name, h.value});
    sigv4::sign_request(method, path, query, signed_headers, target.payload_hash, *creds->sigv4, b.region, "s3",
                        s.now_s, s.keys);
    f.headers.reserve(signed_headers.size());
    for (auto& h : signed_headers)
      if (h.name != "host") f.headers.push_back({std::move(h.name), std::move(h.value)});  // fetch sets Host itself
  } else {
    f.headers = forwarded;
    // Unsigned, a body still says what the client declared of it: S3 checks x-amz-content-sha256 on anonymous
    // writes too (and needs it to know an aws-chunked body's framing), so a declared digest is enforced here as well.
    if (target.body.kind != BodyKind::None) f.headers.push_back({"x-amz-content-sha256", std::string(target.payload_hash)});
  }
  return f;
}

}  // namespace

namespace {

class S3Dialect final : public Dialect {
 public:
  std::string_view name() const override { return "s3"; }
  const Capabilities& capabilities() const override {
    static const Capabilities caps{true, true, true, true, true, true, true, false, true, true};
    return caps;
  }
  std::string_view unsupported_read(const Headers&, const std::vector<http::QueryParam>&) const override { return {}; }

  FetchAction read(const Backend& b, const ObjectRead& r, const BackendCredentials* creds, Signing s) const override {
    BackendTarget target{&b, r.key, r.query ? *r.query : std::vector<http::QueryParam>{}};
    static const Headers kNone;
    return s3_request(target, r.head ? "HEAD" : "GET", r.headers ? *r.headers : kNone, creds, s);
  }

  FetchAction list(const Backend& b, const ListCall& c, const BackendCredentials* creds, Signing s) const override {
    std::vector<http::QueryParam> q;
    auto add = [&](const char* name, std::string value) { q.push_back({name, std::move(value), true}); };
    // Always V2 towards the backend, V1 clients included: V2 paging is what backends get right (moto's V1 paging
    // with a delimiter repeats CommonPrefixes), and the proxy sets V1's NextMarker itself.
    add("list-type", "2");
    add("prefix", std::string(c.prefix));
    if (!c.delimiter.empty()) add("delimiter", std::string(c.delimiter));
    add("max-keys", std::to_string(c.max_keys));
    if (!c.token.empty()) add("continuation-token", std::string(c.token));
    if (!c.start_after.empty()) add("start-after", std::string(c.start_after));
    if (c.url_encoded) add("encoding-type", "url");
    if (c.owners) add("fetch-owner", "true");
    BackendTarget target{&b, "", std::move(q), BackendTarget::Scope::Bucket};
    FetchAction f = s3_request(target, "GET", {}, creds, s);
    f.mode = ResponseMode::Buffer;
    f.max_body = 16 << 20;
    return f;
  }

  FetchAction probe_bucket(const Backend& b, const BackendCredentials* creds, Signing s) const override {
    BackendTarget target{&b, "", {}, BackendTarget::Scope::Bucket};
    return s3_request(target, "HEAD", {}, creds, s);
  }

  // The requests the write operations built before the seam, unchanged: the step's method, S3's own query and
  // the client's headers as the operation forwarded them.
  FetchAction write(const Backend& b, const ObjectWrite& w, const BackendCredentials* creds, Signing s) const override {
    static const Headers kNone;
    std::string_view method = "PUT";
    switch (w.step) {
      case WriteStep::Put:
      case WriteStep::Copy:
      case WriteStep::CopyPart:
      case WriteStep::UploadPart: method = "PUT"; break;
      case WriteStep::Delete:
      case WriteStep::AbortUpload: method = "DELETE"; break;
      case WriteStep::DeleteBatch:
      case WriteStep::CreateUpload:
      case WriteStep::CompleteUpload: method = "POST"; break;
      case WriteStep::ListParts:
      case WriteStep::ListUploads: method = "GET"; break;
      case WriteStep::SetProperties: return FetchAction{};  // copy_properties: never asked
    }
    BackendTarget target{&b, w.key, w.query ? *w.query : std::vector<http::QueryParam>{},
                         w.step == WriteStep::DeleteBatch || w.step == WriteStep::ListUploads ? BackendTarget::Scope::Bucket : BackendTarget::Scope::Object};
    target.body = w.body;
    target.payload_hash = w.payload_hash;
    if (w.step != WriteStep::Copy && w.step != WriteStep::CopyPart)
      return s3_request(target, method, w.headers ? *w.headers : kNone, creds, s);
    if (!w.copy_source) return FetchAction{};
    std::string source = "/";
    source += http::uri_encode(w.copy_source->bucket, true);
    source += '/';
    source += http::uri_encode(w.copy_source_key, false);
    if (!w.copy_source_version.empty()) {
      source += "?versionId=";
      source += http::uri_encode(w.copy_source_version, true);
    }
    Headers headers{{"x-amz-copy-source", std::move(source)}};
    if (w.headers) headers.insert(headers.end(), w.headers->begin(), w.headers->end());
    return s3_request(target, method, headers, creds, s);
  }

  void answer_headers(Headers&) const override {}  // already S3's

  Classified classify(const FetchResult& r) const override {
    Classified c;
    if (!r.body.empty()) c.code = xml::error_code_of(r.body);
    c.error = s3::classify_error(r.status, c.code);
    return c;
  }

  bool render_listing(std::string_view body, const ListView& v, std::string& out, std::string& error,
                      xml::ListPage* page) const override {
    xml::ListRewrite rw;
    rw.backend_prefix = v.backend_prefix;
    rw.client_prefix = v.client_prefix;
    rw.bucket = v.bucket;
    rw.url_encoded = v.url_encoded;
    rw.owner_id = v.owner_id;
    rw.prefix_echo = v.prefix;
    rw.prefix_echo_encoded = v.v2;  // S3 leaves V1's <Prefix> unencoded under encoding-type=url
    if (v.v2) rw.start_after_echo = v.start_after;
    return xml::rewrite_listing(body, rw, out, error, page);
  }
};

}  // namespace

const Dialect& s3() {
  static const S3Dialect d;
  return d;
}

}  // namespace s3p::dialect
