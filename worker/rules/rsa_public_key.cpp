#include "worker/rules/rsa_public_key.h"

#include <algorithm>
#include <cstdint>

#include "worker/crypto/base64.h"
#include "worker/crypto/sha256.h"
#include "worker/http/json_escape.h"

namespace s3p {
namespace {

// A bounds-checked reader of DER tag-length-value items.
struct Der {
  const uint8_t* p;
  const uint8_t* end;
  // Reads one item with tag `tag`; `body` views its contents. False on a tag mismatch or a bad length.
  bool item(uint8_t tag, Der& body) {
    if (end - p < 2 || p[0] != tag) return false;
    size_t len = p[1];
    const uint8_t* q = p + 2;
    if (len & 0x80) {
      const size_t n = len & 0x7F;
      if (n == 0 || n > 4 || static_cast<size_t>(end - q) < n) return false;
      len = 0;
      for (size_t i = 0; i < n; ++i) len = len << 8 | q[i];
      q += n;
    }
    if (static_cast<size_t>(end - q) < len) return false;
    body = Der{q, q + len};
    p = q + len;
    return true;
  }
  std::string unsigned_integer() const {  // INTEGER contents without sign-padding zeros
    const uint8_t* q = p;
    while (q + 1 < end && *q == 0) ++q;
    return std::string(reinterpret_cast<const char*>(q), end - q);
  }
};

constexpr uint8_t kSequence = 0x30, kInteger = 0x02, kOctetString = 0x04, kOid = 0x06;
// 1.2.840.113549.1.1.1 rsaEncryption
constexpr uint8_t kRsaEncryption[] = {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01};

bool pem_body(std::string_view pem, std::string& der) {
  static constexpr std::string_view kBegin = "-----BEGIN PRIVATE KEY-----", kEnd = "-----END PRIVATE KEY-----";
  const auto b = pem.find(kBegin);
  const auto e = pem.find(kEnd);
  if (b == std::string_view::npos || e == std::string_view::npos || e < b) return false;
  std::string text;
  for (char c : pem.substr(b + kBegin.size(), e - b - kBegin.size()))
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') text += c;
  return b64::decode(text, der);
}

// The size of a modulus is its bit length, not its byte count: a 256-byte modulus may hold 2041..2048 bits.
size_t modulus_bits(std::string_view n) {
  if (n.empty()) return 0;
  size_t bits = (n.size() - 1) * 8;
  for (unsigned top = static_cast<uint8_t>(n[0]); top != 0; top >>= 1) ++bits;
  return bits;
}

}  // namespace

bool rsa_public_from_pkcs8_pem(std::string_view pem, RsaPublicKey& out, std::string& why) {
  std::string der;
  if (!pem_body(pem, der)) {
    why = "is not a PKCS#8 PEM (-----BEGIN PRIVATE KEY-----)";
    return false;
  }
  why = "is not an RSA PKCS#8 private key";
  const auto* p = reinterpret_cast<const uint8_t*>(der.data());
  Der top{p, p + der.size()}, info, version, alg, oid, octets, rsa, rsa_version, n, e;
  if (!top.item(kSequence, info) || !info.item(kInteger, version) || !info.item(kSequence, alg) ||
      !alg.item(kOid, oid) || !info.item(kOctetString, octets))
    return false;
  if (static_cast<size_t>(oid.end - oid.p) != sizeof kRsaEncryption ||
      !std::equal(oid.p, oid.end, kRsaEncryption))
    return false;
  // RSAPrivateKey (RFC 8017 A.1.2): version, n, e, d, p, q, ...
  if (!octets.item(kSequence, rsa) || !rsa.item(kInteger, rsa_version) || !rsa.item(kInteger, n) ||
      !rsa.item(kInteger, e))
    return false;
  out.n = n.unsigned_integer();
  out.e = e.unsigned_integer();
  if (modulus_bits(out.n) < 2048) {
    why = "RSA key must be at least 2048 bits";
    return false;
  }
  why.clear();
  return true;
}

std::string jwk_json(const RsaPublicKey& key, std::string_view kid) {
  std::string out = "{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"";
  append_json_escaped(out, kid);
  out += "\",\"n\":\"" + b64::encode_url(key.n) + "\",\"e\":\"" + b64::encode_url(key.e) + "\"}";
  return out;
}

std::string jwk_thumbprint(const RsaPublicKey& key) {
  const std::string canonical =
      "{\"e\":\"" + b64::encode_url(key.e) + "\",\"kty\":\"RSA\",\"n\":\"" + b64::encode_url(key.n) + "\"}";
  const crypto::Digest d = crypto::sha256(canonical);
  return b64::encode_url(crypto::as_view(d));
}

}  // namespace s3p
