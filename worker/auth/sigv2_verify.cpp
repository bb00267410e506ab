// SigV2 verification (AWS "Signing and Authenticating REST Requests", the S3 V2 scheme): HMAC-SHA1 over
//   VERB \n Content-MD5 \n Content-Type \n Date-or-Expires \n CanonicalizedAmzHeaders CanonicalizedResource
// base64-encoded. Kept because boto3's default presigner and aws cli v1's `s3 presign` still make V2 URLs
// against a custom us-east-1 endpoint.
#include <algorithm>
#include <cstdlib>

#include "worker/auth/path_forms.h"
#include "worker/auth/request_time.h"
#include "worker/auth/verifiers.h"
#include "worker/crypto/base64.h"
#include "worker/crypto/sha1.h"
#include "worker/util/sort.h"

namespace s3p::auth {
namespace {

constexpr int64_t kMaxPresignSeconds = 604800;

// The query parameters that are part of the resource (the sub-resources and response overrides), sorted.
bool is_sub_resource(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "accelerate", "acl", "analytics", "cors", "delete", "encryption", "inventory", "legal-hold", "lifecycle",
      "location", "logging", "metrics", "notification", "object-lock", "partNumber", "policy", "replication",
      "requestPayment", "response-cache-control", "response-content-disposition", "response-content-encoding",
      "response-content-language", "response-content-type", "response-expires", "restore", "retention", "select",
      "select-type", "tagging", "torrent", "uploadId", "uploads", "versionId", "versioning", "versions", "website"};
  for (auto n : kNames)
    if (n == name) return true;
  return false;
}

std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

// `query_form`: a presigned URL, whose x-amz-* query parameters stand for headers (S3's "query string
// authentication": boto's presigner moves every x-amz-* header there — the session token of temporary credentials
// as x-amz-security-token — and signs them as CanonicalizedAmzHeaders).
std::string string_to_sign(const SignedRequest& req, std::string_view date_or_expires, std::string_view path,
                           bool query_form) {
  std::string s(req.method);
  s += '\n';
  if (const std::string* md5 = find_header(req.headers, "content-md5")) s += trim(*md5);
  s += '\n';
  if (const std::string* type = find_header(req.headers, "content-type")) s += trim(*type);
  s += '\n';
  s += date_or_expires;
  s += '\n';
  std::vector<Header> amz;
  for (const auto& h : req.headers)
    if (starts_with(h.name, "x-amz-")) amz.push_back(h);
  if (query_form)
    for (const auto& p : req.params)
      if (starts_with(p.name, "x-amz-")) amz.push_back({p.name, p.value});
  util::sort(amz.begin(), amz.end(), [](const Header& a, const Header& b) { return a.name < b.name; });
  for (size_t i = 0; i < amz.size(); ++i) {
    if (i > 0 && amz[i].name == amz[i - 1].name) {
      s.back() = ',';
    } else {
      s += amz[i].name;
      s += ':';
    }
    s += trim(amz[i].value);
    s += '\n';
  }
  s += path;
  std::vector<const http::QueryParam*> sub;
  for (const auto& p : req.params)
    if (is_sub_resource(p.name)) sub.push_back(&p);
  util::sort(sub.begin(), sub.end(), [](auto* a, auto* b) { return a->name < b->name; });
  for (size_t i = 0; i < sub.size(); ++i) {
    s += i == 0 ? '?' : '&';
    s += sub[i]->name;
    if (sub[i]->has_value) {
      s += '=';
      s += sub[i]->value;
    }
  }
  return s;
}

// Tries each form of the resource path a client may have signed (path_forms.h).
Verdict check(const SignedRequest& req, const AccessKey& key, std::string_view date_or_expires,
              std::string_view signature, std::string_view scheme) {
  for (const std::string& path : path_forms(req.resource_path)) {
    const crypto::Sha1Digest mac =
        crypto::hmac_sha1(key.secret, string_to_sign(req, date_or_expires, path, scheme == "sigv2-query"));
    const std::string expected = b64::encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
    if (crypto::equal_ct(expected, signature)) {
      Verdict ok;
      ok.key = &key;
      ok.scheme = scheme;
      return ok;
    }
  }
  return Verdict::fail(errors::SignatureDoesNotMatch, "signature mismatch");
}

}  // namespace

Verdict verify_sigv2_header(const SignedRequest& req, std::string_view authorization, const Namespace& ns, int64_t now_s) {
  std::string_view rest = authorization.substr(4);  // after "AWS "
  const size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == rest.size())
    return Verdict::fail(errors::AuthorizationHeaderMalformed, "SigV2 header is not \"AWS id:signature\"");
  const AccessKey* key = nullptr;
  if (Verdict v; !find_signing_key(ns, rest.substr(0, colon), key, v)) return v;

  // x-amz-date, when present, stands for Date (and Date's line is then empty).
  const std::string* amz_date = find_header(req.headers, "x-amz-date");
  const std::string* date = amz_date ? amz_date : find_header(req.headers, "date");
  int64_t t = 0;
  if (!date || !parse_http_date(*date, t)) return Verdict::fail(errors::MissingDate, "no valid Date or x-amz-date");
  if (t < now_s - kMaxSkewSeconds || t > now_s + kMaxSkewSeconds)
    return Verdict::fail(errors::RequestTimeTooSkewed, "date skew " + std::to_string(t - now_s) + " s");
  return check(req, *key, amz_date ? std::string_view() : std::string_view(*date), rest.substr(colon + 1), "sigv2");
}

Verdict verify_sigv2_query(const SignedRequest& req, const Namespace& ns, int64_t now_s) {
  const http::QueryParam* id = find_param(req.params, "AWSAccessKeyId");
  const http::QueryParam* signature = find_param(req.params, "Signature");
  const http::QueryParam* expires = find_param(req.params, "Expires");
  if (!id || !signature || !expires || id->value.empty() || signature->value.empty())
    return Verdict::fail(errors::AuthorizationQueryParametersError, "AWSAccessKeyId, Signature and Expires are required");
  const AccessKey* key = nullptr;
  if (Verdict v; !find_signing_key(ns, id->value, key, v)) return v;
  const std::string& e = expires->value;
  if (e.empty() || e.size() > 12 || e.find_first_not_of("0123456789") != std::string::npos)
    return Verdict::fail(errors::AuthorizationQueryParametersError, "Expires is not a unix time");
  const int64_t until = std::atoll(e.c_str());
  if (now_s > until) return Verdict::fail(errors::RequestExpired, "presigned URL expired");
  if (until - now_s > kMaxPresignSeconds) return Verdict::fail(errors::PresignTooLong, "Expires over a week ahead");
  return check(req, *key, e, signature->value, "sigv2-query");
}

}  // namespace s3p::auth
