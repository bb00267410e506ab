// Rewrites a backend ListBucketResult (ListObjects V1 or V2) into the client's key space in one forward pass over
// the text: no DOM, output reserved once and appended in spans (a 1000-key, 255 KB listing must cost well under
// 1 ms of wasm CPU). Three files: the policy below (list_rewrite.cpp), the scanner it drives (xml_scanner.h) and
// the escaper (xml_escape.h).
//
// The proxy maps client bucket = account, client key = "{repo}/{rest}" onto backend bucket B, key prefix P. The
// backend was asked for prefix = P + rest-of-client-prefix; in its answer every key-like value loses P and gains
// "{repo}/", <Name> becomes the account, and nothing about B or P is left:
//   <Key>, <Prefix> (top level and in <CommonPrefixes>), <StartAfter>, <Marker>, <NextMarker>  key-like, mapped
//   <Name>                                  -> rw.bucket
//   <Contents><Owner><ID>/<DisplayName>     -> rw.owner_id
//   <KeyCount>                              recounted (kept <Contents> + <CommonPrefixes>) when entries were dropped
//   <EncodingType>                          kept when the client asked for url, dropped otherwise; added if missing
//   <ContinuationToken>/<NextContinuationToken>, everything else: copied verbatim (the caller wraps tokens; the
//                                           backend's next token is returned in ListPage)
// The top-level elements the caller sets or removes afterwards (pagination: IsTruncated, MaxKeys, the tokens,
// markers, KeyCount, StartAfter) are located in the output (ListPage's spans), so that the caller's edits are one
// splice of the document rather than a search of it per element; such an element sent twice fails the rewrite.
// Comments and processing instructions (other than the leading XML declaration) are dropped; CDATA and DOCTYPE
// are rejected. Whitespace and element order are preserved.
//
// Safety: a <Contents> or <CommonPrefixes> entry whose key does not start with P is DROPPED (a correct backend
// never sends one); so is a <NextMarker> outside P (moto sends an opaque token there — clients then page by the
// last key, as they must without a delimiter anyway). A top-level <Prefix>/<StartAfter>/<Marker> outside P with
// no echo override makes the whole rewrite fail. Malformed documents (truncated, unbalanced, bad entities, nesting
// deeper than 32) fail; the scanner never reads outside the input.
//
// Values: key-like text is XML-decoded (&amp; &lt; &gt; &quot; &apos; &#N; &#xH;), then, for an url-encoded
// document, form-decoded ('+' is a space, as AWS writes it; %2B is a plus; '/' may come raw or as %2F). A raw CR
// in the text is taken literally (moto writes one for a key containing CR; no end-of-line normalisation).
// Output: with url encoding, http::uri_encode(value, /*encode_slash=*/false) — every byte but A-Z a-z 0-9 - . _ ~
// and '/' becomes %XX, so the value needs no XML escaping and '/' stays readable (AWS also leaves '/' raw; any
// form decoder reads %20 and %2B back correctly). Without, XML-escaped by the core's one escaper (xml_escape.h:
// & < > " ' as entities, C0 controls other than TAB and LF as &#N;, CR as &#13;). A value holding NUL (raw, or
// %00 decoded) has no XML form: the rewrite fails unless the client asked for url encoding.
// Inside <Contents>, leaf elements other than Key and Owner (LastModified, ETag, Size, ...) are skipped as
// "<X ...>text</X ...>" spans without tokenizing their names — they are copied verbatim either way.
//
// Encoding detection: the document's <EncodingType>url</EncodingType> says how IT is encoded (it may come after
// the keys, as moto writes it). The rewrite first assumes the document is encoded as the client asked
// (rw.url_encoded) and redoes the pass with the other decoding if the document says otherwise; the output is
// always encoded as the client asked.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace s3p::xml {

struct ListRewrite {
  std::string_view backend_prefix;  // P, stripped from key-like values
  std::string_view client_prefix;   // "repo/", prepended
  std::string_view bucket;          // the account name, replaces <Name>
  bool url_encoded = false;         // the client asked encoding-type=url (so did we, of the backend)
  std::string_view owner_id;        // replaces <Owner><ID> and <DisplayName> contents (fetch-owner)

  // Echo fields: exactly what the client sent (decoded query values; encoded here like any key-like value).
  // Unset: the backend's echo is mapped like a key. Set: the element's text is replaced by this value; an element
  // the backend did not send is added (before </ListBucketResult>) — except for an empty start_after/marker echo,
  // which only empties an element that is present (so a caller may set both from a request that had neither).
  // <Prefix> is always present in S3 listings, so an empty prefix_echo yields <Prefix></Prefix>.
  std::optional<std::string_view> prefix_echo;
  // Whether the top-level <Prefix> echo follows url_encoded. S3 url-encodes it in ListObjectsV2 only; V1 leaves it
  // raw (XML-escaped) even under encoding-type=url, and V1 clients (botocore) do not decode it.
  bool prefix_echo_encoded = true;
  std::optional<std::string_view> start_after_echo;  // V2 <StartAfter>
  std::optional<std::string_view> marker_echo;       // V1 <Marker>
};

// Where a whole top-level element (tags included) lies in the output; empty if the backend did not send it.
struct OutSpan {
  size_t begin = 0, end = 0;
  bool present() const { return end > begin; }
};

// What the caller needs for pagination (all values decoded; keys in the client's key space).
struct ListPage {
  bool truncated = false;         // <IsTruncated>true</IsTruncated>
  bool has_next_token = false;    // V2 <NextContinuationToken> present
  std::string next_token;         // its text, XML-decoded, as the backend sent it (never put in the output mapped)
  bool has_next_marker = false;   // V1 <NextMarker> present and inside P
  std::string next_marker;        // mapped into the client's key space
  std::string last_key;           // the last kept <Contents><Key>, mapped ("" if none)
  std::string last_prefix;        // the last kept <CommonPrefixes><Prefix>, mapped ("" if none)
  uint32_t keys = 0;              // kept <Contents>
  uint32_t prefixes = 0;          // kept <CommonPrefixes>
  uint32_t entries = 0;           // keys + prefixes (= the output's KeyCount)
  uint32_t dropped = 0;           // entries dropped (key outside P, or no key)

  // Output positions for the caller's edits: the top-level elements it may set or remove, and where the root's
  // end tag begins (where elements the backend did not send are added).
  OutSpan is_truncated_at, max_keys_at, key_count_at, continuation_token_at, next_continuation_token_at,
      start_after_at, marker_at, next_marker_at;
  size_t root_end_at = 0;
};

// Returns false (with `error` set, for the log only) if the document is not a ListBucketResult we understand;
// `out` is then unspecified. `out` is replaced, not appended to. `page` may be null.
bool rewrite_listing(std::string_view backend_xml, const ListRewrite& rw, std::string& out, std::string& error,
                     ListPage* page = nullptr);

}  // namespace s3p::xml
