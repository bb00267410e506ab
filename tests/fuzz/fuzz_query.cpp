// Fuzzes query parsing and SigV4 canonical query building: decode → encode must never crash, and the canonical
// form must contain only unreserved characters, '%XX', '=' and '&'.
#include <cstdint>
#include <string>
#include <vector>

#include "worker/http/uri.h"
#include "worker/sign/sigv4.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<s3p::http::QueryParam> params;
  if (!s3p::http::parse_query(in, params)) return 0;
  std::string canonical = s3p::sigv4::canonical_query(params);
  for (char c : canonical) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
              c == '_' || c == '~' || c == '%' || c == '=' || c == '&';
    if (!ok) __builtin_trap();
  }
  std::string decoded;
  if (s3p::http::percent_decode(in, decoded)) {
    std::string back;
    if (!s3p::http::percent_decode(s3p::http::uri_encode(decoded, false), back) || back != decoded) __builtin_trap();
  }
  return 0;
}
