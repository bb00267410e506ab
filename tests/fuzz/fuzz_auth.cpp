// Fuzzes inbound authentication (all four signature forms' parsing and verification): input lines are method,
// path, query, then "name: value" headers. Must never crash; a refusal never names a caller; an accepted request
// that carries a signature names the key it was verified with.
#include <cstdint>
#include <string>
#include <vector>

#include "worker/auth/authenticate.h"
#include "worker/config/config.h"

namespace {
const s3p::Config& config() {
  static s3p::Config cfg = [] {
    s3p::Config c;
    std::string error;
    s3p::load_config(R"({"backends": {"b": {"endpoint": "https://h", "bucket": "bk"}},
      "accounts": {"acct": {"repositories": {"r": {"backend": "b"}}}},
      "access_keys": {"AKIAIOSFODNN7EXAMPLE": {"secret_access_key_secret": "S",
        "scopes": [{"account": "acct", "repository": "*", "actions": ["read"]}]}}})",
                     {{"S", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}}, c, error);
    return c;
  }();
  return cfg;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> lines;
  while (!in.empty() && lines.size() < 12) {
    const size_t nl = in.find('\n');
    lines.emplace_back(in.substr(0, nl));
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  }
  lines.resize(std::max<size_t>(lines.size(), 3));
  s3p::Headers headers;
  for (size_t i = 3; i < lines.size(); ++i) {
    const size_t colon = lines[i].find(": ");
    if (colon != std::string::npos) headers.push_back({lines[i].substr(0, colon), lines[i].substr(colon + 2)});
  }
  std::vector<s3p::http::QueryParam> params;
  if (!s3p::http::parse_query(lines[2], params)) return 0;
  static s3p::sigv4::SigningKeyCache keys;
  const s3p::auth::SignedRequest req{lines[0], lines[1], lines[1], params, headers, size % 2 == 0};
  const s3p::auth::Verdict v = s3p::auth::authenticate(req, config(), 1369353600, keys);
  if (v.error && v.key) __builtin_trap();
  if (!v.error && v.scheme != "anonymous" && !v.key) __builtin_trap();
  if (!v.error) s3p::auth::strip_auth_params(params);
  return 0;
}
