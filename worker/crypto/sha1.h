// HMAC-SHA1 over mbedTLS: only for verifying SigV2 signatures, which older clients (boto3's and aws cli v1's
// default presigner against a custom us-east-1 endpoint) still make. Never used to sign anything.
#pragma once
#include <array>
#include <cstdint>
#include <string_view>

namespace s3p::crypto {

using Sha1Digest = std::array<uint8_t, 20>;

Sha1Digest hmac_sha1(std::string_view key, std::string_view data);

}  // namespace s3p::crypto
