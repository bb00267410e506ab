#include "worker/s3/continuation_token.h"

#include <cstdint>

#include "worker/crypto/base64.h"

namespace s3p::list_token {
namespace {

constexpr char kVersion = 0x01;

void put_field(std::string& out, std::string_view field) {
  const uint32_t n = static_cast<uint32_t>(field.size());
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((n >> shift) & 0xFF);
  out.append(field);
}

// The version byte and every bound field, each length-prefixed so that no two listings share a binding.
std::string binding(const Listing& l) {
  std::string out = "s3p listing token";
  out += kVersion;
  put_field(out, l.account);
  put_field(out, l.prefix);
  put_field(out, l.delimiter);
  return out;
}

}  // namespace

std::string seal(const crypto::SivKeys& keys, const Listing& listing, std::string_view plaintext) {
  return b64::encode_url(std::string(1, kVersion) + crypto::siv_seal(keys, binding(listing), plaintext));
}

bool open(const crypto::SivKeys& keys, const Listing& listing, std::string_view token, std::string& plaintext) {
  plaintext.clear();
  std::string raw;
  if (token.size() > kMaxTokenLength || !b64::decode_url(token, raw)) return false;
  if (raw.empty() || raw[0] != kVersion) return false;
  return crypto::siv_open(keys, binding(listing), std::string_view(raw).substr(1), plaintext);
}

}  // namespace s3p::list_token
