// The signing key must have a modulus of at least 2048 bits, counted in bits: a 256-byte modulus whose top byte is
// below 0x80 is a 2041..2047-bit key and is refused.
#include <catch2/catch.hpp>

#include <string>

#include "worker/crypto/base64.h"
#include "worker/rules/rsa_public_key.h"

using namespace s3p;

namespace {

std::string tlv(uint8_t tag, const std::string& body) {
  std::string out(1, static_cast<char>(tag));
  if (body.size() < 128) {
    out += static_cast<char>(body.size());
  } else {
    out += '\x82';
    out += static_cast<char>(body.size() >> 8);
    out += static_cast<char>(body.size() & 0xFF);
  }
  return out + body;
}

// A PKCS#8 rsaEncryption key whose modulus has exactly `bits` bits (the parser reads version, n and e; the other
// RSAPrivateKey fields are placeholders).
std::string pkcs8_with_modulus_bits(size_t bits) {
  std::string n((bits + 7) / 8, '\xFF');
  const size_t top_bits = bits % 8 == 0 ? 8 : bits % 8;
  n[0] = static_cast<char>((1u << top_bits) - 1);
  if (static_cast<uint8_t>(n[0]) & 0x80) n.insert(n.begin(), '\0');  // INTEGER sign padding
  const std::string one = tlv(0x02, std::string(1, '\x01'));
  const std::string rsa = tlv(0x30, tlv(0x02, std::string(1, '\0')) + tlv(0x02, n) + tlv(0x02, std::string("\x01\x00\x01", 3)) + one +
                                        one + one + one + one + one);
  const std::string alg = tlv(0x30, tlv(0x06, "\x2A\x86\x48\x86\xF7\x0D\x01\x01\x01") + std::string("\x05\x00", 2));
  const std::string der = tlv(0x30, tlv(0x02, std::string(1, '\0')) + alg + tlv(0x04, rsa));
  return "-----BEGIN PRIVATE KEY-----\n" + b64::encode(der) + "\n-----END PRIVATE KEY-----\n";
}

}  // namespace

TEST_CASE("RSA signing keys need a modulus of at least 2048 bits, counted in bits", "[federation][rsa]") {
  RsaPublicKey key;
  std::string why;
  for (size_t bits : {1024u, 2040u, 2041u, 2044u, 2047u}) {
    INFO(bits << " bits");
    CHECK_FALSE(rsa_public_from_pkcs8_pem(pkcs8_with_modulus_bits(bits), key, why));
    CHECK(why == "RSA key must be at least 2048 bits");
  }
  for (size_t bits : {2048u, 3072u, 4096u}) {
    INFO(bits << " bits");
    CHECK(rsa_public_from_pkcs8_pem(pkcs8_with_modulus_bits(bits), key, why));
    CHECK(why.empty());
  }
}
