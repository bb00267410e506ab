// Fuzzes the L2 entry opener (what an Open result goes through in exchange.cpp): any plaintext is either usable
// (our format, not expired, the STS body a suffix of it) or a miss with a reason; whatever a usable body parses
// to, L2 only ever caches an answer that STS credentials with enough life left make. Round trip: an entry we write
// reads back to the same body while unexpired, and is a miss from its expiry on. The first 6 bytes set "now".
#include <cstdint>
#include <cstring>
#include <string>

#include "worker/creds/l2_entry.h"
#include "worker/creds/sts_response.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 6) return 0;
  uint64_t t = 0;
  for (int i = 0; i < 6; ++i) t = t << 8 | data[i];
  const double now = static_cast<double>(t % 4'000'000'000'000ull);  // unix ms up to ~2096
  std::string_view text(reinterpret_cast<const char*>(data + 6), size - 6);

  std::string_view body;
  const std::string why = s3p::l2::read_plaintext(text, now, body);
  if (why.empty()) {
    if (body.size() > text.size() || text.substr(text.size() - body.size()) != body) __builtin_trap();
    if (text.substr(0, 9) != "s3p-l2/1\n") __builtin_trap();
    s3p::StsResponse parsed = s3p::parse_sts_response(body);
    const int64_t ttl = s3p::l2::cacheable_ttl(parsed, now);
    if (ttl < 0) __builtin_trap();
    if (ttl > 0 && (parsed.kind != s3p::StsResponse::Kind::Credentials || !parsed.has_expiration ||
                    static_cast<double>(parsed.expiration_ms) - now <= s3p::l2::kMarginSeconds * 1000.0))
      __builtin_trap();
  } else if (body.data() != nullptr && !body.empty()) {
    __builtin_trap();  // a miss hands out nothing
  }

  const int64_t expires = static_cast<int64_t>(now) + 1 + static_cast<int64_t>(size);
  const std::string entry = s3p::l2::plaintext(expires, text);
  std::string_view back;
  if (!s3p::l2::read_plaintext(entry, now, back).empty() || back != text) __builtin_trap();
  std::string_view late;
  if (s3p::l2::read_plaintext(entry, static_cast<double>(expires), late).empty()) __builtin_trap();
  return 0;
}
