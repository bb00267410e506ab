// Fuzzes the continuation-token opener (worker/s3/continuation_token): the one listing input a client controls
// that the core decrypts. The first byte picks the listing the token is presented to; the rest is the token.
// Besides memory safety (ASan/UBSan):
//   - a token that opens re-seals to exactly itself (one encoding per token: nothing else opens as it);
//   - the rest, sealed as a plaintext, opens back to itself (unless the token is over the length cap), and not for
//     any other of the listings.
// Seeds (tests/fuzz/corpus/fuzz_list_token) are real tokens under this target's key, so mutations start from
// inputs that get past the base64url and version checks.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "worker/s3/continuation_token.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const s3p::crypto::SivKeys keys = s3p::crypto::siv_keys("fuzz_list_token root key");
  static const s3p::list_token::Listing listings[] = {{"acct", "", ""}, {"acct", "repo/", "/"}, {"acct", "", "/"}, {"flat", "", ""}};
  constexpr size_t kListings = sizeof(listings) / sizeof(listings[0]);
  const s3p::list_token::Listing& listing = listings[data[0] % kListings];
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);

  std::string plain;
  if (s3p::list_token::open(keys, listing, rest, plain) && s3p::list_token::seal(keys, listing, plain) != rest)
    __builtin_trap();
  if (!s3p::list_token::open(keys, listing, rest, plain) && !plain.empty()) __builtin_trap();  // nothing released

  const std::string token = s3p::list_token::seal(keys, listing, rest);
  const bool fits = token.size() <= s3p::list_token::kMaxTokenLength;  // longer ones are refused unread
  if (s3p::list_token::open(keys, listing, token, plain) != fits || (fits && plain != rest)) __builtin_trap();
  for (size_t i = 0; i < kListings; ++i)
    if (&listings[i] != &listing && s3p::list_token::open(keys, listings[i], token, plain)) __builtin_trap();
  return 0;
}
