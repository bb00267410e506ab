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
    // payload_hash, writes, multipart, batch_delete, server_side_copy, suffix_range, start_after, proxy_uploads,
    // xml_results (S3's XML API: its own upload ids and result documents), copy_properties
    static const Capabilities caps{false, true, true, false, true, true, true, false, true, true};
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
  FetchAction write(const Backend& b, const ObjectWrite& w, const BackendCredentials* creds, Signing s) const override {
    return s3().write(b, w, creds, s);
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
    const std::string s3_body = without_generations(body);
    return s3().render_listing(s3_body, v, out, error, page);
  }

 private:
  // GCS's listing entries carry <Generation> and <MetaGeneration>, which S3 has not (the S3 rewrite copies the
  // leaves of an entry it does not know). Removed by a plain search: in well-formed XML a '<' in text is escaped,
  // so the tag cannot occur inside a key. One extra copy of the page, for GCS only.
  static std::string without_generations(std::string_view body) {
    std::string out;
    out.reserve(body.size());
    size_t at = 0;
    for (;;) {
      const size_t g = body.find("Generation>", at);
      if (g == std::string_view::npos) break;
      // "<Generation>" or "<MetaGeneration>": the element runs to its end tag.
      const size_t open = g == 0                                      ? std::string_view::npos
                          : body[g - 1] == '<'                          ? g - 1
                          : (g >= 5 && body.substr(g - 5, 5) == "<Meta") ? g - 5
                                                                         : std::string_view::npos;
      if (open == std::string_view::npos) {
        out.append(body.substr(at, g + 11 - at));
        at = g + 11;
        continue;
      }
      const std::string_view name = body.substr(open + 1, g + 10 - open - 1);
      const std::string close = "</" + std::string(name) + ">";
      const size_t end = body.find(close, g);
      if (end == std::string_view::npos) break;  // malformed: the rewrite will say so
      out.append(body.substr(at, open - at));
      at = end + close.size();
    }
    out.append(body.substr(at));
    return out;
  }
};

}  // namespace

const Dialect& gcs() {
  static const GcsDialect d;
  return d;
}

}  // namespace s3p::dialect
