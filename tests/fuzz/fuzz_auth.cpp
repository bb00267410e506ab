// Fuzzes inbound authentication (all four signature forms' parsing and verification): input lines are method,
// path, query, then "name: value" headers. Must never crash; a refusal never names a caller; an accepted request
// that carries a signature names the key it was verified with.
//
// And an oracle, so that a verifier accepting what it should not fails here (an accept-everything verifier passes
// the invariants above): whenever a request is accepted as a key, it is authenticated again, each time with one
// thing its signature binds changed, and every one must be refused —
//   - the key's secret replaced (a second config, same key id, another secret; the signing-key cache shared, so a
//     cache that forgot the secret in its key would be caught too);
//   - one character of the signature changed (the Authorization header's last, the signature parameters');
//   - the method changed;
//   - the clock moved 8 days either way (past any skew allowance and any presigned lifetime, at most 7 days).
// The committed seeds (tests/fuzz/corpus/fuzz_auth/*-verifies, and AWS's two SigV4 examples) verify at this
// target's clock, so the fuzzer starts on the accepted branch and mutates from there.
#include <cstdint>
#include <string>
#include <vector>

#include "worker/auth/authenticate.h"
#include "worker/config/config.h"

namespace {

constexpr int64_t kNow = 1369353600;  // 2013-05-24T00:00:00Z, the date of AWS's published examples
constexpr int64_t kEightDays = 8 * 86400;

s3p::Config load(const char* secret) {
  s3p::Config c;
  std::string error;
  s3p::load_config(R"({"backends": {"b": {"endpoint": "https://h", "bucket": "bk"}},
      "accounts": {"acct": {"repositories": {"r": {"backend": "b"}}}},
      "access_keys": {"AKIAIOSFODNN7EXAMPLE": {"secret_access_key_secret": "S",
        "scopes": [{"account": "acct", "repository": "*", "actions": ["read"]}]}}})",
                   {{"S", secret}}, c, error);
  if (!c.find_key("AKIAIOSFODNN7EXAMPLE")) __builtin_trap();  // a config that did not load tests nothing
  return c;
}

const s3p::Config& config() {
  static const s3p::Config cfg = load("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  return cfg;
}

// The same key id with another secret: nothing signed with the real one may verify under it.
const s3p::Config& other_secret_config() {
  static const s3p::Config cfg = load("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEZ");
  return cfg;
}

struct Request {
  std::string method, path;
  std::vector<s3p::http::QueryParam> params;
  s3p::Headers headers;
  bool has_body = false;
};

s3p::auth::Verdict authenticate(const Request& r, const s3p::Config& cfg, int64_t now) {
  static s3p::sigv4::SigningKeyCache keys;  // shared by both configs on purpose (see the top)
  const s3p::auth::SignedRequest req{r.method, r.path, r.path, r.params, r.headers, r.has_body};
  return s3p::auth::authenticate(req, cfg, now, keys);
}

bool accepted_as_key(const s3p::auth::Verdict& v) { return !v.error && v.key; }

// Changes one character of a signature to another of the same alphabet (hex and base64 both hold '0' and '1').
void change(char& c) { c = c == '0' ? '1' : '0'; }

// The request with its signature changed wherever a signature can be: the last character of each Authorization
// header that is not a separator (for SigV2 the signature's last; for SigV4 the last part's value — once it was
// accepted, any byte changed there must be refused), and the last character of each signature parameter.
Request signature_changed(Request r) {
  for (auto& h : r.headers) {
    if (h.name != "authorization") continue;
    const size_t last = h.value.find_last_not_of(" ,");
    if (last != std::string::npos) change(h.value[last]);
  }
  for (auto& p : r.params)
    if ((p.name == "X-Amz-Signature" || p.name == "Signature") && !p.value.empty()) change(p.value.back());
  return r;
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
  Request r;
  r.method = lines[0];
  r.path = lines[1];
  r.has_body = size % 2 == 0;
  for (size_t i = 3; i < lines.size(); ++i) {
    const size_t colon = lines[i].find(": ");
    if (colon != std::string::npos) r.headers.push_back({lines[i].substr(0, colon), lines[i].substr(colon + 2)});
  }
  if (!s3p::http::parse_query(lines[2], r.params)) return 0;
  const s3p::auth::Verdict v = authenticate(r, config(), kNow);
  if (v.error && v.key) __builtin_trap();
  if (!v.error && v.scheme != "anonymous" && !v.key) __builtin_trap();

  if (accepted_as_key(v)) {
    if (v.key != config().find_key("AKIAIOSFODNN7EXAMPLE")) __builtin_trap();
    if (accepted_as_key(authenticate(r, other_secret_config(), kNow))) __builtin_trap();
    if (accepted_as_key(authenticate(signature_changed(r), config(), kNow))) __builtin_trap();
    Request other_method = r;
    other_method.method += 'X';
    if (accepted_as_key(authenticate(other_method, config(), kNow))) __builtin_trap();
    if (accepted_as_key(authenticate(r, config(), kNow + kEightDays))) __builtin_trap();
    if (accepted_as_key(authenticate(r, config(), kNow - kEightDays))) __builtin_trap();
  }
  if (!v.error) s3p::auth::strip_auth_params(r.params);
  return 0;
}
