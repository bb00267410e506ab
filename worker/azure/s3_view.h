// What S3 clients see of two Azure names that S3 clients cannot take as they are: a blob's ETag and its metadata
// names. Each is one reversible mapping; the Azure dialect applies it on every way out (answer headers, listings,
// write results) and its inverse on every way in (conditions, metadata sent), so a client only ever sees, and
// only ever needs to send, the S3 form.
//
// ETags. Azure's are opaque ("0x8DC5E2A6B1F3C4D"), not the MD5 of the bytes; S3 clients that check an ETag
// against the MD5 of what they sent or received (s3cmd on every put and get, rclone when it looks like one) skip
// the check only when it contains '-', the mark of S3's multipart ETags. So the S3 form is the Azure value with
// "-azure" appended, quoted: "0x8DC5E2A6B1F3C4D-azure". Back: a tag of that form loses the suffix; any other tag
// (one the proxy never presented: a raw Azure ETag, garbage) is sent to Azure unchanged, where it can only match
// if it is the blob's Azure ETag itself.
//
// Metadata names (x-amz-meta-NAME ↔ x-ms-meta-NAME). Azure's must be C# identifiers ([A-Za-z_][A-Za-z0-9_]*);
// S3's are any HTTP token (s3cmd sends "s3cmd-attrs"). A name that is an identifier and does not begin with the
// marker "s3m_" is stored as it is (so "mtime", "md5chksum", "owner_id" look the same in Azure); any other is
// stored as "s3m_" followed by the name with every byte outside [a-z0-9] written "_hh" (two lowercase hex
// digits): "s3cmd-attrs" → "s3m_s3cmd_2dattrs", "2x" → "s3m_2x", "s3m_x" → "s3m_s3m_5fx". Back: a name beginning
// with "s3m_" whose rest decodes is that decoding; any other name is itself. Names are compared lowercase (the
// host lowercases header names; Azure's are case-insensitive).
#pragma once
#include <string>
#include <string_view>

namespace s3p::azure {

inline constexpr std::string_view kEtagSuffix = "-azure";
inline constexpr std::string_view kMetaMarker = "s3m_";

// An Azure ETag (quoted as in headers, or bare as in List Blobs) → the quoted S3 form. Empty stays empty.
std::string etag_to_s3(std::string_view azure_etag);
// One entity tag as a client sent it (quoted, optionally W/) → what Azure must compare. "*" stays "*".
std::string etag_to_azure(std::string_view s3_etag);
// An If-Match / If-None-Match / x-amz-copy-source-if-(none-)match value (a comma-separated list) → Azure's.
std::string etag_condition_to_azure(std::string_view value);

// The part of a metadata header after "x-amz-meta-" → after "x-ms-meta-", and back.
std::string meta_name_to_azure(std::string_view s3_name);
std::string meta_name_to_s3(std::string_view azure_name);

}  // namespace s3p::azure
