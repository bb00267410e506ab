// MD5 over mbedTLS: only for the Content-MD5 header that S3 backends require on the DeleteObjects body the core
// re-renders (and for checking a client's Content-MD5 on the bodies the core reads). Never for anything secret.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace s3p::crypto {

using Md5Digest = std::array<uint8_t, 16>;

Md5Digest md5(std::string_view data);
// The Content-MD5 header value: base64 of the digest.
std::string content_md5(std::string_view data);

}  // namespace s3p::crypto
