// Azure List Blobs (EnumerationResults) → the client's S3 listing (ListObjectsV2 or V1), in one forward pass over
// the text with the scanner the S3 rewrite uses (s3/xml_scanner.h): no DOM, the output reserved once.
//
// Unlike the S3 path, nothing of the backend's document is copied through: the S3 document is written from the
// request (the echo fields) and from the few values read per entry, so no Azure element, attribute (ServiceEndpoint,
// ContainerName) or marker reaches the client except as this file writes it.
//
//   Blobs/Blob/Name                  -> <Contents><Key>  mapped like the S3 path: the backend prefix P is removed,
//                                       client_prefix ("{repo}/") prepended; a name outside P is DROPPED
//   Blob/Properties/Last-Modified    -> <LastModified>   RFC 1123 → "YYYY-MM-DDTHH:MM:SS.000Z"
//   Blob/Properties/Etag             -> <ETag>           quoted ("0x8D…" → &quot;0x8D…&quot;), as Get Blob's header
//   Blob/Properties/Content-Length   -> <Size>
//   Blob/Properties/AccessTier       -> <StorageClass>   Hot/absent STANDARD, Cool/Cold STANDARD_IA, Archive GLACIER
//   Blobs/BlobPrefix/Name            -> <CommonPrefixes><Prefix>  mapped likewise
//   NextMarker (non-empty)           -> truncated; V2: <NextContinuationToken> = seal_marker(marker) — the hook
//                                       where the dialect seals the marker (list_token::seal of "{repo}/{marker}"),
//                                       V1: <NextMarker> = the last key or prefix of the page (whichever sorts later)
// A Blob that is not the live base blob (it has <Snapshot>, <Deleted>true, or <IsCurrentVersion> other than true)
// is dropped: the dialect never asks for those, and an S3 listing has no place for them.
// Names: XML-decoded, then percent-decoded when the element says Encoded="true" (Azure's form for names holding
// characters XML cannot carry). Written url-encoded under encoding-type=url (http::uri_encode, '/' kept), else
// through the core's one escaper; a name holding NUL fails the document unless the client asked for url.
//
// start_after (V2 start-after, V1 marker, in the client's key space): List Blobs has no such parameter (its marker
// is the service's opaque token), so the renderer drops what S3 would not return: keys <= start_after, and common
// prefixes that sort before it without being a prefix of it (a prefix equal to it too: V1 pages by NextMarker =
// the last common prefix, which S3 does not repeat). Dropped entries are counted in ListPage::dropped.
//
// Output order: Name, Prefix, ContinuationToken (V2, when the client sent one), StartAfter (V2) / Marker (V1),
// MaxKeys, Delimiter, EncodingType (url), the Contents, the CommonPrefixes, KeyCount (V2), IsTruncated,
// NextContinuationToken (V2) / NextMarker (V1). ListPage reports the counts, the Azure marker (next_token, raw, for
// the caller's own continuation) and where each top-level control element lies in the output (its spans), so
// the list operation can edit them as it edits the S3 rewrite's (e.g. IsTruncated when more repositories follow).
//
// Failure (false, `error` for the log): not an EnumerationResults, malformed markup, a Content-Length that is not
// a number, a Last-Modified that is not an HTTP date, a Blob without a name, an undecodable name, a truncated V2
// page with no seal_marker (the raw marker never goes out). `out` is then unspecified.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "worker/s3/list_rewrite.h"

namespace s3p::azure {

struct ListRender {
  std::string_view backend_prefix;  // P: the repository's prefix inside the container, stripped from names
  std::string_view client_prefix;   // "repo/" (or "" in a flat bucket), prepended
  std::string_view bucket;          // the account name: <Name>
  bool v2 = true;
  bool url_encoded = false;         // encoding-type=url
  std::string_view prefix;          // the client's prefix, echoed (encoded under url in V2 only, as S3 does)
  std::string_view delimiter;       // echoed when not empty
  uint32_t max_keys = 1000;         // echoed
  std::optional<std::string_view> continuation_token;  // V2: the client's token, echoed as it came
  std::string_view start_after;     // V2 start-after / V1 marker: echoed, and entries not after it dropped
  std::string_view owner_id;        // not empty: <Owner><ID/><DisplayName/></Owner> in every <Contents>
  // The hook: Azure's NextMarker → the text of the client's <NextContinuationToken>. The dialect seals it;
  // tests may pass anything. Unset: a truncated V2 page fails instead of handing out the raw marker.
  std::function<std::string(std::string_view azure_marker)> seal_marker;
};

bool render_listing(std::string_view azure_xml, const ListRender& r, std::string& out, std::string& error,
                    xml::ListPage* page = nullptr);

}  // namespace s3p::azure
