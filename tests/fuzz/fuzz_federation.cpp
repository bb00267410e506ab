// Fuzzes federation's parsers: STS response documents, ISO 8601 expirations, opened L2 entries, base64 and the
// PKCS#8 DER reader behind the JWKS. None may crash; where there is an inverse, it must round-trip.
#include <cstdint>
#include <string>
#include <string_view>

#include "worker/creds/l2_entry.h"
#include "worker/creds/sts_response.h"
#include "worker/crypto/base64.h"
#include "worker/rules/iso8601.h"
#include "worker/rules/rsa_public_key.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  using namespace s3p;

  StsResponse sts = parse_sts_response(in);
  if (sts.kind == StsResponse::Kind::Credentials &&
      (sts.creds.access_key_id.empty() || sts.creds.secret_access_key.empty() || sts.creds.session_token.empty()))
    __builtin_trap();
  if (sts.kind == StsResponse::Kind::Error && sts.code.empty()) __builtin_trap();

  int64_t ms = 0;
  (void)parse_iso8601_ms(in, ms);

  std::string_view body;
  if (l2::read_plaintext(in, 0, body).empty() &&
      (body.data() < in.data() || body.data() + body.size() > in.data() + in.size()))
    __builtin_trap();

  // base64: decoding is strict, so whatever decodes re-encodes to the same text (padding aside).
  std::string raw;
  if (b64::decode(in, raw)) {
    std::string again = b64::encode(raw);
    std::string_view unpadded = in;
    while (!unpadded.empty() && unpadded.back() == '=') unpadded.remove_suffix(1);
    while (!again.empty() && again.back() == '=') again.pop_back();
    if (again != unpadded) __builtin_trap();
  }
  if (b64::decode(b64::encode(in), raw) && raw != in) __builtin_trap();

  // The DER reader, fed arbitrary bytes as a PEM body.
  RsaPublicKey key;
  std::string why;
  const std::string pem = "-----BEGIN PRIVATE KEY-----\n" + b64::encode(in) + "\n-----END PRIVATE KEY-----\n";
  if (rsa_public_from_pkcs8_pem(pem, key, why) && (key.n.size() < 256 || key.e.empty())) __builtin_trap();
  return 0;
}
