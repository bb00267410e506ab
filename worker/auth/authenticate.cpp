#include "worker/auth/authenticate.h"

#include "worker/auth/verifiers.h"

namespace s3p::auth {

const http::QueryParam* find_param(const std::vector<http::QueryParam>& params, std::string_view name) {
  for (const auto& p : params)
    if (p.name == name) return &p;
  return nullptr;
}

bool find_signing_key(const Config& cfg, std::string_view id, const AccessKey*& key, Verdict& out) {
  key = cfg.find_key(id);
  if (key) return true;
  if (cfg.unknown_keys_as_anonymous) {
    out = Verdict{};
    out.scheme = "unknown-key";
  } else {
    out = Verdict::fail(errors::InvalidAccessKeyId, "unknown access key");
  }
  return false;
}

Verdict authenticate(const SignedRequest& req, const Config& cfg, int64_t now_s, sigv4::SigningKeyCache& keys) {
  const std::string* authorization = find_header(req.headers, "authorization");
  const bool v4_query = find_param(req.params, "X-Amz-Algorithm") || find_param(req.params, "X-Amz-Signature");
  const bool v2_query = find_param(req.params, "AWSAccessKeyId") || find_param(req.params, "Signature");
  if ((authorization != nullptr) + v4_query + v2_query > 1)
    return Verdict::fail(errors::TwoAuthMechanisms, "more than one authentication mechanism");
  if (v4_query) return verify_sigv4_query(req, cfg, now_s, keys);
  if (v2_query) return verify_sigv2_query(req, cfg, now_s);
  if (!authorization) return Verdict{};
  if (starts_with(*authorization, "AWS4-HMAC-SHA256 ")) return verify_sigv4_header(req, *authorization, cfg, now_s, keys);
  if (starts_with(*authorization, "AWS ")) return verify_sigv2_header(req, *authorization, cfg, now_s);
  return Verdict::fail(errors::UnsupportedAlgorithm, "unsupported authorization scheme");
}

void strip_auth_params(std::vector<http::QueryParam>& params) {
  const bool v2 = find_param(params, "AWSAccessKeyId") != nullptr;
  std::vector<http::QueryParam> kept;
  kept.reserve(params.size());
  for (auto& p : params) {
    const bool auth = starts_with(p.name, "X-Amz-") ||
                      (v2 && (p.name == "AWSAccessKeyId" || p.name == "Signature" || p.name == "Expires"));
    if (!auth) kept.push_back(std::move(p));
  }
  params = std::move(kept);
}

}  // namespace s3p::auth
