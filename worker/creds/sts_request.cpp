#include "worker/creds/sts_request.h"

#include "worker/crypto/sha256.h"
#include "worker/http/uri.h"
#include "worker/sign/sigv4.h"

namespace s3p {

namespace {
constexpr uint32_t kMaxStsBody = 64 * 1024;  // a real answer is ~2 KB; anything bigger is not STS

void param(std::string& out, std::string_view name, std::string_view value) {
  if (!out.empty()) out += '&';
  out += name;
  out += '=';
  http::uri_encode_append(out, value, true);
}
}  // namespace

std::string sts_form(const WebIdentityAuth& auth, std::string_view token) {
  std::string form;
  param(form, "Action", "AssumeRoleWithWebIdentity");
  param(form, "Version", "2011-06-15");
  param(form, "RoleArn", auth.role_arn);
  param(form, "RoleSessionName", auth.session_name);
  param(form, "WebIdentityToken", token);
  if (auth.duration_seconds != 0) param(form, "DurationSeconds", std::to_string(auth.duration_seconds));
  return form;
}

FetchAction sts_fetch(const FederationSettings& settings, const WebIdentityAuth& auth, std::string_view token) {
  FetchAction f;
  f.method = "POST";
  f.url = settings.sts_url;
  f.headers = {{"content-type", "application/x-www-form-urlencoded; charset=utf-8"}, {"accept", "text/xml"}};
  f.body = Body{BodyKind::Bytes, sts_form(auth, token), 0};
  f.timeout_ms = settings.sts_timeout_ms;
  f.mode = ResponseMode::Buffer;
  f.max_body = kMaxStsBody;
  return f;
}

std::string assume_role_form(const AssumeRoleAuth& auth) {
  std::string form;
  param(form, "Action", "AssumeRole");
  param(form, "Version", "2011-06-15");
  param(form, "RoleArn", auth.role_arn);
  param(form, "RoleSessionName", auth.session_name);
  if (!auth.external_id.empty()) param(form, "ExternalId", auth.external_id);
  param(form, "DurationSeconds", std::to_string(auth.duration_seconds));
  return form;
}

namespace {

// The Host header fetch() will send for `url` (scheme://host[:port]/path, as config/federation.cpp validated it):
// the host lowercased, a default port dropped. Empty when there is none.
std::string url_host(std::string_view url, std::string_view& path) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "";
  const std::string_view scheme = url.substr(0, scheme_end);
  std::string_view rest = url.substr(scheme_end + 3);
  const size_t slash = rest.find('/');
  path = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
  std::string host(rest.substr(0, slash));
  for (char& c : host)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  const std::string default_port = scheme == "https" ? ":443" : ":80";
  if (host.size() > default_port.size() && host.compare(host.size() - default_port.size(), default_port.size(), default_port) == 0)
    host.resize(host.size() - default_port.size());
  return host;
}

}  // namespace

FetchAction assume_role_fetch(const FederationSettings& settings, const AssumeRoleAuth& auth,
                              const sigv4::Credentials& caller, int64_t unix_seconds) {
  FetchAction f;
  f.method = "POST";
  std::string_view path;
  const std::string host = url_host(settings.sts_url, path);
  if (host.empty()) return f;  // url empty: refused as built
  std::string form = assume_role_form(auth);
  std::vector<sigv4::Header> headers = {{"host", host},
                                        {"content-type", "application/x-www-form-urlencoded; charset=utf-8"}};
  // STS is not S3: its canonical URI is the path as sent, encoded once more (the path has no query).
  const std::string canonical_uri = http::uri_encode(path, false);
  sigv4::SigningKeyCache keys(1);  // one exchange, one key: nothing worth keeping across exchanges
  sigv4::sign_request("POST", canonical_uri, "", headers, crypto::hex(crypto::sha256(form)), caller, auth.sts_region,
                      "sts", unix_seconds, keys);
  f.url = settings.sts_url;
  for (sigv4::Header& h : headers)
    if (h.name != "host") f.headers.push_back({std::move(h.name), std::move(h.value)});  // fetch sets Host itself
  f.headers.push_back({"accept", "text/xml"});
  f.body = Body{BodyKind::Bytes, std::move(form), 0};
  f.timeout_ms = settings.sts_timeout_ms;
  f.mode = ResponseMode::Buffer;
  f.max_body = kMaxStsBody;
  return f;
}

namespace {

// STS refusing for load (throttling) or failing on its side (5xx): retryable, so the client gets 503 +
// Retry-After and retries, rather than a 502 it treats as final.
bool sts_transient(uint32_t status, std::string_view code) {
  static constexpr std::string_view kCodes[] = {"Throttling", "ThrottlingException", "RequestLimitExceeded",
                                                "TooManyRequestsException", "SlowDown", "ServiceUnavailable",
                                                "InternalFailure", "InternalError"};
  if (status >= 500 || status == 429) return true;
  for (auto c : kCodes)
    if (code == c) return true;
  return false;
}

}  // namespace

bool sts_outcome(const FetchResult& r, StsResponse& response, FlightFailure& failure) {
  const std::string http = "sts HTTP " + std::to_string(r.status);
  switch (r.outcome) {
    case FetchOutcome::Ok: break;
    case FetchOutcome::Timeout:
      failure = {&errors::ServiceUnavailable, "sts timeout: " + r.error};
      return false;
    case FetchOutcome::NetworkError:
    case FetchOutcome::BodySignatureMismatch:  // never for an STS form (a body the core made): a host misuse
    case FetchOutcome::BodyMalformed:
    case FetchOutcome::BodyDigestMismatch:
    case FetchOutcome::BodyHashMismatch:
      failure = {&errors::ServiceUnavailable, "sts transport: " + r.error};
      return false;
    case FetchOutcome::BodyTooLarge:
      failure = {&errors::BadGateway, http + ": response too large"};
      return false;
  }
  response = parse_sts_response(r.body);
  switch (response.kind) {
    case StsResponse::Kind::Credentials:
      if (r.status != 200) break;
      if (!response.has_expiration) {
        failure = {&errors::BadGateway, http + ": credentials without a usable Expiration"};
        return false;
      }
      return true;
    case StsResponse::Kind::Error:
      failure = {response.code == "AccessDenied"             ? &errors::AccessDenied
                 : sts_transient(r.status, response.code)   ? &errors::ServiceUnavailable
                                                            : &errors::BadGateway,
                 http + " " + response.code + ": " + response.message};
      return false;
    case StsResponse::Kind::Unparseable: break;
  }
  if (sts_transient(r.status, "")) {
    failure = {&errors::ServiceUnavailable, http + ": STS unavailable"};
    return false;
  }
  failure = {&errors::BadGateway, http + ": unparseable response"};
  return false;
}

}  // namespace s3p
