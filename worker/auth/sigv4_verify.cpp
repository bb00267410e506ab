// SigV4 verification, read side by side with AWS's "Authenticating Requests (AWS Signature Version 4)":
// rebuild the canonical request from the request as received, the string to sign from it, derive the signing
// key from the secret, and compare signatures in constant time.
#include <algorithm>
#include <cstdlib>

#include "worker/auth/path_forms.h"
#include "worker/auth/request_time.h"
#include "worker/auth/verifiers.h"
#include "worker/crypto/sha256.h"

namespace s3p::auth {
namespace {

constexpr int64_t kMaxPresignSeconds = 604800;  // 7 days

// "AKID/yyyymmdd/region/service/aws4_request"
struct CredentialScope {
  std::string_view key_id, date, region, service, terminator;
};

bool parse_credential(std::string_view c, CredentialScope& out) {
  std::string_view parts[5];
  for (int i = 0; i < 4; ++i) {
    const size_t slash = c.find('/');
    if (slash == std::string_view::npos) return false;
    parts[i] = c.substr(0, slash);
    c.remove_prefix(slash + 1);
  }
  if (c.find('/') != std::string_view::npos) return false;
  parts[4] = c;
  out = {parts[0], parts[1], parts[2], parts[3], parts[4]};
  return !out.key_id.empty() && out.date.size() == 8;
}

// "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=a;b, Signature=hex" (spaces after commas optional).
bool parse_authorization(std::string_view h, std::string_view& credential, std::string_view& signed_headers,
                         std::string_view& signature) {
  h.remove_prefix(sigv4::kAlgorithm.size());
  while (!h.empty()) {
    while (!h.empty() && (h.front() == ' ' || h.front() == ',')) h.remove_prefix(1);
    const size_t end = h.find(',');
    std::string_view part = h.substr(0, end);
    h = end == std::string_view::npos ? std::string_view() : h.substr(end);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    const size_t eq = part.find('=');
    if (part.empty()) continue;
    if (eq == std::string_view::npos) return false;
    const std::string_view name = part.substr(0, eq), value = part.substr(eq + 1);
    if (name == "Credential") credential = value;
    else if (name == "SignedHeaders") signed_headers = value;
    else if (name == "Signature") signature = value;
    else return false;
  }
  return !credential.empty() && !signed_headers.empty() && !signature.empty();
}

bool is_hex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

bool known_payload_hash(std::string_view v) {
  static constexpr std::string_view kForms[] = {
      "UNSIGNED-PAYLOAD", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
      "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
      "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER"};
  for (auto f : kForms)
    if (v == f) return true;
  return is_hex64(v);
}

// The signed headers as "a;b;c": lowercase, sorted, no duplicates, host among them. Fills `names`.
bool parse_signed_headers(std::string_view list, std::vector<std::string_view>& names) {
  while (!list.empty()) {
    const size_t semi = list.find(';');
    std::string_view n = list.substr(0, semi);
    list = semi == std::string_view::npos ? std::string_view() : list.substr(semi + 1);
    if (n.empty()) return false;
    for (char c : n)
      if (c >= 'A' && c <= 'Z') return false;
    if (!names.empty() && !(names.back() < n)) return false;
    names.push_back(n);
  }
  for (auto n : names)
    if (n == "host") return true;
  return false;
}

// Everything both forms share once their parameters are parsed: the scope checks, the canonical request (for
// each form of the path a client may have signed: path_forms.h), and the comparison.
Verdict verify(const SignedRequest& req, const Namespace& ns, sigv4::SigningKeyCache& keys, const AccessKey* key,
               const CredentialScope& scope,
               std::string_view amz_date, std::string_view signed_header_list, std::string_view signature,
               std::string_view payload_hash, bool query_form) {
  const S3Error& malformed = query_form ? errors::AuthorizationQueryParametersError : errors::AuthorizationHeaderMalformed;
  if (scope.date != amz_date.substr(0, 8)) return Verdict::fail(malformed, "credential date is not the request date");
  if (scope.region != ns.config().region)
    return Verdict::fail(malformed, "credential region \"" + std::string(scope.region) + "\", expecting " + ns.config().region);
  if (scope.service != req.service)
    return Verdict::fail(malformed, "credential service is not " + std::string(req.service));
  if (scope.terminator != "aws4_request") return Verdict::fail(malformed, "credential terminator is not aws4_request");

  std::vector<std::string_view> names;
  if (!parse_signed_headers(signed_header_list, names))
    return Verdict::fail(malformed, "SignedHeaders must be sorted lowercase names including host");
  std::vector<sigv4::Header> signed_headers;
  for (auto n : names) {
    const std::string* v = find_header(req.headers, n);
    if (!v) return Verdict::fail(errors::SignatureDoesNotMatch, "signed header " + std::string(n) + " is absent");
    signed_headers.push_back({std::string(n), *v});
  }
  // S3 refuses x-amz-* headers that the signature does not cover, in every form: they choose the operation
  // (x-amz-copy-source makes a PUT a copy) and what the backend stores (metadata, tagging, storage class,
  // redirects), so a presigned URL's holder must not add them. One exception, as S3 makes it: a presigned request
  // may carry an unsigned x-amz-content-sha256 saying UNSIGNED-PAYLOAD, which is what a presigned body is anyway.
  for (const auto& h : req.headers)
    if (starts_with(h.name, "x-amz-") && !std::binary_search(names.begin(), names.end(), std::string_view(h.name)) &&
        !(query_form && h.name == "x-amz-content-sha256" && h.value == sigv4::kUnsignedPayload))
      return Verdict::fail(errors::UnsignedHeaders, "unsigned header " + h.name);

  std::vector<http::QueryParam> signed_params;
  for (const auto& p : req.params)
    if (!(query_form && p.name == "X-Amz-Signature")) signed_params.push_back(p);
  const std::string query = sigv4::canonical_query(signed_params);

  const crypto::Digest signing_key = keys.get(key->secret, scope.date, scope.region, req.service);
  const std::string cred_scope = sigv4::credential_scope(scope.date, scope.region, req.service);

  for (const std::string& canonical_uri : path_forms(req.raw_path)) {
    const std::string creq = sigv4::canonical_request(req.method, canonical_uri, query, signed_headers, payload_hash, nullptr);
    const std::string expected = sigv4::signature(signing_key, sigv4::string_to_sign(amz_date, cred_scope, creq));
    if (crypto::equal_ct(expected, signature)) {
      Verdict ok;
      ok.key = key;
      ok.scheme = query_form ? "sigv4-query" : "sigv4";
      ok.payload_hash = std::string(payload_hash);
      if (!query_form && payload_hash == sigv4::kStreamingSignedPayload && req.service == "s3")
        ok.chunk_seed = {std::string(amz_date), cred_scope, std::string(signature), signing_key};
      return ok;
    }
  }
  return Verdict::fail(errors::SignatureDoesNotMatch, "signature mismatch");
}

}  // namespace

Verdict verify_sigv4_header(const SignedRequest& req, std::string_view authorization, const Namespace& ns,
                            int64_t now_s, sigv4::SigningKeyCache& keys) {
  std::string_view credential, signed_headers, signature;
  CredentialScope scope;
  if (!parse_authorization(authorization, credential, signed_headers, signature) || !parse_credential(credential, scope))
    return Verdict::fail(errors::AuthorizationHeaderMalformed, "unparseable Authorization header");
  // The key first: a deployment may serve unknown keys as anonymous, whatever else their signature says.
  const AccessKey* key = nullptr;
  if (Verdict v; !find_signing_key(ns, scope.key_id, key, v)) return v;

  const std::string* amz_date = find_header(req.headers, "x-amz-date");
  int64_t t = 0;
  if (!amz_date || !parse_amz_date(*amz_date, t)) return Verdict::fail(errors::MissingDate, "no valid x-amz-date");
  if (t < now_s - kMaxSkewSeconds || t > now_s + kMaxSkewSeconds)
    return Verdict::fail(errors::RequestTimeTooSkewed, "x-amz-date skew " + std::to_string(t - now_s) + " s");

  // Other services than S3 sign the body's own hash and send no x-amz-content-sha256 (the STS endpoint).
  if (req.service != "s3") return verify(req, ns, keys, key, scope, *amz_date, signed_headers, signature, req.body_sha256, false);
  const std::string* payload = find_header(req.headers, "x-amz-content-sha256");
  if (!payload) return Verdict::fail(errors::MissingContentSha256, "no x-amz-content-sha256");
  if (!known_payload_hash(*payload)) return Verdict::fail(errors::BadContentSha256, "unknown x-amz-content-sha256 form");
  // A request without a body has the empty body's hash; no other digest can be true of it.
  if (!req.has_body && is_hex64(*payload) && *payload != sigv4::kEmptyPayloadHash)
    return Verdict::fail(errors::XAmzContentSHA256Mismatch, "declared a digest for an empty body");
  return verify(req, ns, keys, key, scope, *amz_date, signed_headers, signature, *payload, false);
}

Verdict verify_sigv4_query(const SignedRequest& req, const Namespace& ns, int64_t now_s, sigv4::SigningKeyCache& keys) {
  const http::QueryParam* algorithm = find_param(req.params, "X-Amz-Algorithm");
  const http::QueryParam* credential = find_param(req.params, "X-Amz-Credential");
  const http::QueryParam* date = find_param(req.params, "X-Amz-Date");
  const http::QueryParam* expires = find_param(req.params, "X-Amz-Expires");
  const http::QueryParam* signed_headers = find_param(req.params, "X-Amz-SignedHeaders");
  const http::QueryParam* signature = find_param(req.params, "X-Amz-Signature");
  if (!algorithm || !credential || !date || !expires || !signed_headers || !signature)
    return Verdict::fail(errors::AuthorizationQueryParametersError, "a required X-Amz-* parameter is missing");
  if (algorithm->value != sigv4::kAlgorithm) return Verdict::fail(errors::UnsupportedAlgorithm, "X-Amz-Algorithm");
  CredentialScope scope;
  if (!parse_credential(credential->value, scope))
    return Verdict::fail(errors::AuthorizationQueryParametersError, "unparseable X-Amz-Credential");
  const AccessKey* key = nullptr;
  if (Verdict v; !find_signing_key(ns, scope.key_id, key, v)) return v;

  int64_t t = 0;
  if (!parse_amz_date(date->value, t))
    return Verdict::fail(errors::AuthorizationQueryParametersError, "unparseable X-Amz-Date");
  const std::string& e = expires->value;
  if (e.empty() || e.size() > 9 || e.find_first_not_of("0123456789") != std::string::npos || std::atoll(e.c_str()) < 1)
    return Verdict::fail(errors::AuthorizationQueryParametersError, "X-Amz-Expires is not a positive integer");
  const int64_t lifetime = std::atoll(e.c_str());
  if (lifetime > kMaxPresignSeconds) return Verdict::fail(errors::PresignTooLong, "X-Amz-Expires over a week");
  if (t > now_s + kMaxSkewSeconds) return Verdict::fail(errors::RequestNotYetValid, "X-Amz-Date in the future");
  if (now_s > t + lifetime) return Verdict::fail(errors::RequestExpired, "presigned URL expired");
  const std::string_view payload = req.service == "s3" ? sigv4::kUnsignedPayload : req.body_sha256;
  return verify(req, ns, keys, key, scope, date->value, signed_headers->value, signature->value, payload, true);
}

}  // namespace s3p::auth
