#include "worker/creds/bearer_token.h"

#include "worker/http/uri.h"
#include "worker/s3/errors.h"

namespace s3p::bearer {

void form_param(std::string& out, std::string_view name, std::string_view value) {
  if (!out.empty()) out += '&';
  out += name;
  out += '=';
  http::uri_encode_append(out, value, true);
}

bool usable_token(std::string_view token, size_t max) {
  if (token.empty() || token.size() > max) return false;
  for (unsigned char c : token)
    if (c <= 0x20 || c >= 0x7f) return false;
  return true;
}

std::string log_detail(std::string text) {
  constexpr size_t kMax = 200;
  if (text.size() > kMax) text.resize(kMax);
  for (char& c : text)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return text;
}

bool token_answer(std::string token, bool has_expiry, int64_t expires_ms, size_t max_token, const std::string& http,
                  StsResponse& out, FlightFailure& failure) {
  if (!usable_token(token, max_token)) {
    failure = {&errors::BadGateway, http + ": no usable access token in the answer"};
    return false;
  }
  if (!has_expiry) {
    failure = {&errors::BadGateway, http + ": access token without a usable expiry"};
    return false;
  }
  out = StsResponse{};
  out.kind = StsResponse::Kind::Credentials;
  out.creds.session_token = std::move(token);
  out.has_expiration = true;
  out.expiration_ms = expires_ms;
  return true;
}

std::string l2_document(std::string_view head, const StsResponse& got) {
  return std::string(head) + std::to_string(got.expiration_ms) + "\n" + got.creds.session_token;
}

StsResponse parse_l2_document(std::string_view head, std::string_view doc, size_t max_token) {
  StsResponse out;
  if (doc.substr(0, head.size()) != head) return out;
  doc.remove_prefix(head.size());
  const size_t nl = doc.find('\n');
  if (nl == std::string_view::npos || nl == 0 || nl > 15) return out;
  int64_t ms = 0;
  for (char c : doc.substr(0, nl)) {
    if (c < '0' || c > '9') return out;
    ms = ms * 10 + (c - '0');
  }
  const std::string_view token = doc.substr(nl + 1);
  if (!usable_token(token, max_token)) return out;
  out.kind = StsResponse::Kind::Credentials;
  out.creds.session_token = std::string(token);
  out.has_expiration = true;
  out.expiration_ms = ms;
  return out;
}

}  // namespace s3p::bearer
