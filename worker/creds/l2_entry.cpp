#include "worker/creds/l2_entry.h"

#include <cmath>

#include "worker/http/uri.h"

namespace s3p::l2 {

namespace {
constexpr std::string_view kMagic = "s3p-l2/1\n";
}

std::string cache_key(std::string_view role_arn, std::string_view session_name) {
  std::string key = "https://sts-creds.cache.internal/v1/";
  http::uri_encode_append(key, role_arn, true);
  key += '/';
  http::uri_encode_append(key, session_name, true);
  return key;
}

std::string seal_binding(std::string_view cache_key, std::string_view subject) {
  std::string out(cache_key);
  out += '\n';  // never in a URL: the subject cannot pose as part of the key
  out += subject;
  return out;
}

int64_t ttl_seconds(int64_t expiration_ms, double now_ms) {
  const double left_s = std::floor((static_cast<double>(expiration_ms) - now_ms) / 1000.0);
  return static_cast<int64_t>(left_s) - kMarginSeconds;
}

int64_t cacheable_ttl(const StsResponse& r, double now_ms) {
  if (r.kind != StsResponse::Kind::Credentials || !r.has_expiration) return 0;
  const int64_t ttl = ttl_seconds(r.expiration_ms, now_ms);
  return ttl > 0 ? ttl : 0;
}

std::string plaintext(int64_t expires_at_ms, std::string_view sts_body) {
  std::string out(kMagic);
  out += std::to_string(expires_at_ms);
  out += '\n';
  out += sts_body;
  return out;
}

std::string read_plaintext(std::string_view text, double now_ms, std::string_view& sts_body) {
  if (text.substr(0, kMagic.size()) != kMagic) return "unknown format";
  text.remove_prefix(kMagic.size());
  const auto nl = text.find('\n');
  if (nl == std::string_view::npos || nl == 0 || nl > 15) return "malformed expiry";
  int64_t expires_at_ms = 0;
  for (char c : text.substr(0, nl)) {
    if (c < '0' || c > '9') return "malformed expiry";
    expires_at_ms = expires_at_ms * 10 + (c - '0');
  }
  if (static_cast<double>(expires_at_ms) <= now_ms) return "expired";
  sts_body = text.substr(nl + 1);
  return "";
}

}  // namespace s3p::l2
