#include "worker/crypto/sha256.h"

#include "mbedtls/md.h"
#include "mbedtls/sha256.h"

namespace s3p::crypto {

Digest sha256(std::string_view data) {
  Digest out{};
  mbedtls_sha256_ret(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), 0);
  return out;
}

namespace {
// One HMAC context for the process, set up once: mbedtls_md_hmac() would allocate a context per call, and SigV4
// runs five HMACs per request. The core is single-threaded, so sharing it is safe.
mbedtls_md_context_t* hmac_context() {
  static mbedtls_md_context_t ctx;
  static bool ready = false;
  if (!ready) {
    mbedtls_md_init(&ctx);
    mbedtls_md_setup(&ctx, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1);
    ready = true;
  }
  return &ctx;
}
}  // namespace

Digest hmac_sha256(std::string_view key, std::string_view data) {
  Digest out{};
  mbedtls_md_context_t* ctx = hmac_context();
  mbedtls_md_hmac_starts(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  mbedtls_md_hmac_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  mbedtls_md_hmac_finish(ctx, out.data());
  return out;
}

std::string hex(const uint8_t* data, size_t len) {
  static const char digits[] = "0123456789abcdef";
  std::string s(len * 2, '\0');
  for (size_t i = 0; i < len; ++i) {
    s[2 * i] = digits[data[i] >> 4];
    s[2 * i + 1] = digits[data[i] & 15];
  }
  return s;
}

bool equal_ct(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char acc = 0;
  for (size_t i = 0; i < a.size(); ++i) acc |= static_cast<unsigned char>(a[i] ^ b[i]);
  return acc == 0;
}

}  // namespace s3p::crypto
