#include "worker/dialect/gcs_dialect.h"

#include "worker/dialect/s3_dialect.h"
#include "worker/s3/backend_errors.h"
#include "worker/s3/xml.h"

namespace s3p::dialect {

Headers gcs_forwardable(const Headers& forwarded) {
  Headers out;
  out.reserve(forwarded.size());
  for (const Header& h : forwarded)
    if (!starts_with(h.name, "x-amz-checksum-") && h.name != "x-amz-sdk-checksum-algorithm") out.push_back(h);
  return out;
}

namespace {

class GcsDialect final : public Dialect {
 public:
  std::string_view name() const override { return "gcs"; }
  const Capabilities& capabilities() const override {
    // payload_hash, writes, multipart, batch_delete, server_side_copy, suffix_range, start_after
    static const Capabilities caps{false, true, true, false, true, true, true};
    return caps;
  }
  std::string_view unsupported_read(const Headers& forwarded, const std::vector<http::QueryParam>& query) const override {
    for (const auto& p : query)
      if (p.name == "partNumber") return "partNumber on a gcs backend";
    for (const Header& h : forwarded)
      if (starts_with(h.name, "x-amz-server-side-encryption-customer-")) return "SSE-C on a gcs backend";
    return {};
  }
  // The S3 dialect's requests; s3_request drops the checksum headers and signs for GCS (HMAC or Bearer).
  FetchAction read(const Backend& b, const ObjectRead& r, const BackendCredentials* creds, Signing s) const override {
    return s3().read(b, r, creds, s);
  }
  FetchAction list(const Backend& b, const ListCall& c, const BackendCredentials* creds, Signing s) const override {
    return s3().list(b, c, creds, s);
  }
  FetchAction probe_bucket(const Backend& b, const BackendCredentials* creds, Signing s) const override {
    return s3().probe_bucket(b, creds, s);
  }

  void answer_headers(Headers& h) const override {
    for (Header& x : h) {
      if (starts_with(x.name, "x-goog-meta-")) x.name = "x-amz-meta-" + x.name.substr(12);
      else if (x.name == "x-goog-storage-class") x.name = "x-amz-storage-class";
    }
  }

  Classified classify(const FetchResult& r) const override {
    Classified c;
    if (!r.body.empty()) c.code = xml::error_code_of(r.body);
    c.error = r.status == 401 ? BackendError::CredentialsExpired : s3::classify_error(r.status, c.code);
    return c;
  }

  bool render_listing(std::string_view body, const ListView& v, std::string& out, std::string& error,
                      xml::ListPage* page) const override {
    return s3().render_listing(body, v, out, error, page);
  }
};

}  // namespace

const Dialect& gcs() {
  static const GcsDialect d;
  return d;
}

}  // namespace s3p::dialect
