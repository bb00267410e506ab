#include "worker/ops/backend_fetch.h"

namespace s3p {

Headers forwarded_read_headers(const Headers& client) {
  // S3's GetObject/HeadObject request headers that shape the answer: the range, the conditions, the checksum mode
  // (without it the backend sends no x-amz-checksum-*, and an SDK cannot validate what it read end to end) and an
  // SSE-C object's key (without which the backend cannot decrypt it). Not the bucket-owner or requester-pays
  // assertions: those speak of the client's account, not of the proxy's at the backend.
  static constexpr std::string_view kForward[] = {"range", "if-match", "if-none-match", "if-modified-since",
                                                  "if-unmodified-since", "x-amz-checksum-mode",
                                                  "x-amz-server-side-encryption-customer-algorithm",
                                                  "x-amz-server-side-encryption-customer-key",
                                                  "x-amz-server-side-encryption-customer-key-md5"};
  Headers out;
  for (const auto& h : client)
    for (auto name : kForward)
      if (h.name == name && !has_ctl_break(h.value)) out.push_back(h);
  return out;
}

FetchAction backend_fetch(const BackendTarget& target, std::string_view method, const Headers& forwarded,
                          const sigv4::Credentials* creds, int64_t now_s, sigv4::SigningKeyCache& keys) {
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
    sigv4::sign_request(method, path, query, signed_headers, target.payload_hash, *creds, b.region, "s3", now_s, keys);
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

}  // namespace s3p
