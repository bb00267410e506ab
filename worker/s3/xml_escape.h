// The core's one XML text escaper, and its inverse. Everything the core writes into an XML document from data
// (keys, prefixes, messages, names, tokens) goes through append_escaped; the core writes no attribute values
// from data.
//
// Escaped: & < > " ' as the predefined entities (S3 writes &quot; too, e.g. in ETags), and C0 controls other
// than TAB and LF as &#N; (CR as &#13;, which survives a parser's end-of-line normalisation). Every other byte,
// UTF-8 included, is copied. NUL has no XML form at all: callers that may meet it (listings) refuse it first.
#pragma once
#include <string>
#include <string_view>

namespace s3p::xml {

void append_escaped(std::string& out, std::string_view text);
inline std::string escaped(std::string_view text) {
  std::string out;
  append_escaped(out, text);
  return out;
}

// True when `text` is element content as it stands that decodes to itself: no & < > and no control byte but TAB
// and LF. A single-pass rewrite copies such text verbatim (quotes included: valid raw, and rare in keys, so the
// hot path does not test for them) instead of decoding and re-escaping it.
bool is_literal_text(std::string_view text);

// Decodes the predefined entities and decimal/hex character references (UTF-8 out). False on anything else: a
// bare '&', an unknown entity, &#0;, a surrogate or a code point past U+10FFFF. `out` is replaced.
bool unescape(std::string_view in, std::string& out);

}  // namespace s3p::xml
