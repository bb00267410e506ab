// SHA-256 and HMAC-SHA256 over mbedTLS (built from Debian's source package): the vetted primitives SigV4 needs.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace s3p::crypto {

using Digest = std::array<uint8_t, 32>;

Digest sha256(std::string_view data);
Digest hmac_sha256(std::string_view key, std::string_view data);
std::string hex(const uint8_t* data, size_t len);
inline std::string hex(const Digest& d) { return hex(d.data(), d.size()); }
inline std::string_view as_view(const Digest& d) { return {reinterpret_cast<const char*>(d.data()), d.size()}; }
// Constant-time equality for secrets and signatures.
bool equal_ct(std::string_view a, std::string_view b);

}  // namespace s3p::crypto
