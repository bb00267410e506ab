#include "worker/crypto/md5.h"

#include "mbedtls/md5.h"
#include "worker/crypto/base64.h"

namespace s3p::crypto {

Md5Digest md5(std::string_view data) {
  Md5Digest out{};
  mbedtls_md5(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data());
  return out;
}

std::string content_md5(std::string_view data) {
  const Md5Digest d = md5(data);
  return b64::encode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

}  // namespace s3p::crypto
