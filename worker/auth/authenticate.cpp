#include "worker/auth/authenticate.h"

#include "worker/auth/verifiers.h"

namespace s3p::auth {

const http::QueryParam* find_param(const std::vector<http::QueryParam>& params, std::string_view name) {
  for (const auto& p : params)
    if (p.name == name) return &p;
  return nullptr;
}

bool find_signing_key(const Namespace& ns, std::string_view id, const AccessKey*& key, Verdict& out) {
  key = ns.find_key(id);
  if (key) return true;
  if (ns.config().unknown_keys_as_anonymous) {
    out = Verdict{};
    out.scheme = "unknown-key";
  } else {
    out = Verdict::fail(errors::InvalidAccessKeyId, "unknown access key");
  }
  return false;
}

namespace {

constexpr size_t kMaxLoggedKeyId = 128;

// The access key id a signature names, unverified: for the log line of a refused request (an id is no secret).
std::string_view key_id_in(const SignedRequest& req, std::string_view scheme, const std::string* authorization) {
  std::string_view id;
  if (scheme == "sigv4-query") {
    if (const http::QueryParam* c = find_param(req.params, "X-Amz-Credential")) id = std::string_view(c->value).substr(0, c->value.find('/'));
  } else if (scheme == "sigv2-query") {
    if (const http::QueryParam* k = find_param(req.params, "AWSAccessKeyId")) id = k->value;
  } else if (scheme == "sigv4" && authorization) {
    const size_t at = authorization->find("Credential=");
    if (at != std::string::npos) {
      id = std::string_view(*authorization).substr(at + 11);
      id = id.substr(0, id.find_first_of("/, "));
    }
  } else if (scheme == "sigv2" && authorization) {
    id = std::string_view(*authorization).substr(4);
    id = id.substr(0, id.rfind(':'));
  }
  return id.substr(0, kMaxLoggedKeyId);
}

bool has_v4_query(const SignedRequest& req) {
  return find_param(req.params, "X-Amz-Algorithm") || find_param(req.params, "X-Amz-Signature");
}
bool has_v2_query(const SignedRequest& req) {
  return find_param(req.params, "AWSAccessKeyId") || find_param(req.params, "Signature");
}

// The signature form a request uses ("" when unsigned or an unknown Authorization scheme), and its Authorization
// header if any.
std::string_view signature_form(const SignedRequest& req, const std::string*& authorization) {
  authorization = find_header(req.headers, "authorization");
  if (has_v4_query(req)) return "sigv4-query";
  if (has_v2_query(req)) return "sigv2-query";
  if (!authorization) return "";
  if (starts_with(*authorization, "AWS4-HMAC-SHA256 ")) return "sigv4";
  if (starts_with(*authorization, "AWS ")) return "sigv2";
  return "";
}

}  // namespace

std::string_view claimed_key_id(const SignedRequest& req) {
  const std::string* authorization = nullptr;
  const std::string_view form = signature_form(req, authorization);
  return form.empty() ? std::string_view() : key_id_in(req, form, authorization);
}

Verdict authenticate(const SignedRequest& req, const Namespace& ns, int64_t now_s, sigv4::SigningKeyCache& keys) {
  const std::string* authorization = nullptr;
  const std::string_view scheme = signature_form(req, authorization);
  if ((authorization != nullptr) + has_v4_query(req) + has_v2_query(req) > 1)
    return Verdict::fail(errors::TwoAuthMechanisms, "more than one authentication mechanism");
  if (scheme.empty())
    return authorization ? Verdict::fail(errors::UnsupportedAlgorithm, "unsupported authorization scheme") : Verdict{};
  Verdict v = scheme == "sigv4-query" ? verify_sigv4_query(req, ns, now_s, keys)
              : scheme == "sigv2-query" ? verify_sigv2_query(req, ns, now_s)
              : scheme == "sigv4"     ? verify_sigv4_header(req, *authorization, ns, now_s, keys)
                                      : verify_sigv2_header(req, *authorization, ns, now_s);
  // A refusal names what the request claimed to be, for the log.
  if (v.error) {
    v.scheme = scheme;
    v.claimed_key_id = std::string(key_id_in(req, scheme, authorization));
  }
  return v;
}

void strip_auth_params(std::vector<http::QueryParam>& params) {
  const bool v2 = find_param(params, "AWSAccessKeyId") != nullptr;
  std::vector<http::QueryParam> kept;
  kept.reserve(params.size());
  for (auto& p : params) {
    const bool auth = starts_with(p.name, "X-Amz-") ||
                      (v2 && (p.name == "AWSAccessKeyId" || p.name == "Signature" || p.name == "Expires" ||
                              p.name == "x-amz-security-token"));
    if (!auth) kept.push_back(std::move(p));
  }
  params = std::move(kept);
}

}  // namespace s3p::auth
