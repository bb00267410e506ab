#include "worker/crypto/sha1.h"

#include "mbedtls/md.h"

namespace s3p::crypto {

Sha1Digest hmac_sha1(std::string_view key, std::string_view data) {
  Sha1Digest out{};
  mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA1), reinterpret_cast<const unsigned char*>(key.data()),
                  key.size(), reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data());
  return out;
}

}  // namespace s3p::crypto
