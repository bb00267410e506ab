// Percent-encoding and query-string parsing with the exact rules SigV4 canonicalization needs.
//
// Encoding (uri_encode) follows AWS SigV4 "UriEncode": the unreserved bytes A-Z a-z 0-9 - . _ ~ are kept, every
// other byte becomes %XX with UPPERCASE hex. It works bytewise, so UTF-8 stays multi-byte encoded
// ("ሴ" -> "%E1%88%B4"). '/' is kept only when encode_slash is false (object-key paths); in query names and values
// it is encoded.
//
// Decoding is strict: a '%' not followed by two hex digits is an error, never passed through.
//   percent_decode: for paths. '+' is a literal plus (S3 object keys may contain '+'; clients send it raw or %2B).
//   form_decode:    application/x-www-form-urlencoded semantics, '+' means space.
//
// Query strings (parse_query): by default '+' decodes to a space. That is what S3 itself does with a raw '+' in a
// query value, and it is how AWS canonicalizes the query when it verifies a signature (decode, then re-encode, so
// a raw '+' is signed as %20). SDKs never send a raw '+' (they send %2B or %20), so for them the choice is moot;
// pass plus_is_space=false to keep '+' literal where a caller needs that.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "worker/http/headers.h"

namespace s3p::http {

// Appends the SigV4 encoding of s to out (no allocation beyond out's growth).
void uri_encode_append(std::string& out, std::string_view s, bool encode_slash);
std::string uri_encode(std::string_view s, bool encode_slash);

// Strict decoding; on false, out holds an unspecified partial result. out is overwritten, not appended to.
bool percent_decode(std::string_view in, std::string& out);
bool form_decode(std::string_view in, std::string& out);

struct QueryParam {
  std::string name, value;
  bool has_value = false;  // "acl" -> false, "acl=" -> true (both canonicalize as "acl=")
};

// Splits raw (without the leading '?') on '&', then each part on its first '='; decodes names and values.
// Empty parts ("a=1&&b=2", a trailing '&') are skipped. Returns false on a malformed escape; out is replaced.
bool parse_query(std::string_view raw, std::vector<QueryParam>& out, bool plus_is_space = true);

// A name that occurs more than once (case-sensitive), or "" when every name is unique. S3 gives a repeated
// parameter no meaning, and a signature covering both copies says nothing about which one a reader takes.
std::string_view duplicate_param(const std::vector<QueryParam>& params);

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF, no truncated sequence.
bool valid_utf8(std::string_view s);

// The bytes of a request head the core must hold: header names and values plus the raw query. Bounded by
// kMaxHeadBytes (S3 itself refuses more than 8 KiB of headers; the edge adds a few hundred bytes of its own).
size_t head_bytes(const Headers& headers, std::string_view raw_query);
inline constexpr size_t kMaxHeadBytes = 16 * 1024;

}  // namespace s3p::http
