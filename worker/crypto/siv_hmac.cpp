#include "worker/crypto/siv_hmac.h"

#include <cstdint>

namespace s3p::crypto {
namespace {

void put_u32be(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
}

std::string synthetic_iv(const SivKeys& keys, std::string_view binding, std::string_view plaintext) {
  // The length prefix keeps (binding, plaintext) pairs unambiguous: "ab" + "c" never MACs like "a" + "bc".
  std::string input;
  input.reserve(4 + binding.size() + plaintext.size());
  put_u32be(input, static_cast<uint32_t>(binding.size()));
  input.append(binding);
  input.append(plaintext);
  const Digest d = hmac_sha256(as_view(keys.mac), input);
  return std::string(reinterpret_cast<const char*>(d.data()), kSivIvSize);
}

// data ^= HMAC(k_enc, iv || u32be(i)) for i = 0, 1, ...
void apply_keystream(const SivKeys& keys, std::string_view iv, std::string& data) {
  std::string block_input(iv);
  block_input.resize(iv.size() + 4);
  for (size_t off = 0, i = 0; off < data.size(); off += 32, ++i) {
    for (int b = 0; b < 4; ++b) block_input[iv.size() + b] = static_cast<char>((i >> (24 - 8 * b)) & 0xFF);
    const Digest ks = hmac_sha256(as_view(keys.enc), block_input);
    for (size_t j = 0; j < 32 && off + j < data.size(); ++j) data[off + j] = static_cast<char>(data[off + j] ^ ks[j]);
  }
}

}  // namespace

SivKeys siv_keys(std::string_view root) {
  return SivKeys{hmac_sha256(root, "siv-hmac mac key"), hmac_sha256(root, "siv-hmac enc key")};
}

std::string siv_seal(const SivKeys& keys, std::string_view binding, std::string_view plaintext) {
  std::string out = synthetic_iv(keys, binding, plaintext);
  std::string body(plaintext);
  apply_keystream(keys, out, body);
  return out + body;
}

bool siv_open(const SivKeys& keys, std::string_view binding, std::string_view sealed, std::string& plaintext) {
  plaintext.clear();
  if (sealed.size() < kSivIvSize) return false;
  const std::string_view iv = sealed.substr(0, kSivIvSize);
  std::string candidate(sealed.substr(kSivIvSize));
  apply_keystream(keys, iv, candidate);
  if (!equal_ct(synthetic_iv(keys, binding, candidate), iv)) return false;
  plaintext = std::move(candidate);
  return true;
}

}  // namespace s3p::crypto
