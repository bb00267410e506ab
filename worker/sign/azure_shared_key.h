// Azure Storage Shared Key authorization for Blob service requests (version 2009-09-19 and later, so every
// x-ms-version the Azure dialect sends: 2021-08-06 or later), as "Authorize with Shared Key" on
// learn.microsoft.com specifies it:
//
//   StringToSign = VERB \n Content-Encoding \n Content-Language \n Content-Length \n Content-MD5 \n Content-Type \n
//                  Date \n If-Modified-Since \n If-Match \n If-None-Match \n If-Unmodified-Since \n Range \n
//                  CanonicalizedHeaders CanonicalizedResource
//   Signature     = base64(HMAC-SHA256(base64decode(account key), UTF-8(StringToSign)))
//   Authorization = "SharedKey " account ":" Signature
//
// A standard header absent from the request is an empty line; Content-Length "0" is one too (2015-02-21 and
// later). Date is normally empty: the dialect sends x-ms-date, which the service then reads instead.
//
// CanonicalizedHeaders: every header whose lowercased name starts with "x-ms-", as "name:value\n", sorted by the
// lowercased name (bytewise: the names the dialect sends are lowercase ASCII letters, digits and '-', where every
// sensible ordering agrees), values trimmed of leading and trailing whitespace; a name given twice is one line
// with the values joined by ',' in the order given. Inner whitespace is left as it is (Azure's SDKs and Azurite
// do not fold it; the dialect never sends folded values).
//
// CanonicalizedResource: "/" account path, then for each query parameter, by lowercased name in ascending order,
// "\n" name ":" value — values decoded, several values of one name sorted and joined with ','. `path` is the
// request URI's path exactly as sent (percent-encoded as on the wire, "/" for the service itself): on Azure
// "/container/blob", on the emulator's path-style URLs "/devstoreaccount1/container/blob" (so the account
// appears twice in the resource, as the spec's emulator note says).
//
// Pure functions: no I/O, no state; the account key (decoded) is only ever an HMAC key here, and no returned
// string other than the signature depends on it. Crypto through worker/crypto (mbedTLS).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "worker/http/headers.h"
#include "worker/http/uri.h"

namespace s3p::azure {

// The version the dialect speaks (a version Azurite 3.35 serves): Shared Key as above, and List Blobs' Encoded
// names.
inline constexpr std::string_view kApiVersion = "2021-08-06";

struct SharedKeyRequest {
  std::string_view method;                     // "GET", "PUT", ... (as sent; upper case)
  std::string_view account;                    // the storage account the key belongs to
  std::string_view path;                       // as sent on the wire, percent-encoded
  const std::vector<http::QueryParam>* query;  // decoded names and values; may be null (no query)
  const Headers* headers;                      // every header the request carries; names in any case
};

// An account key as Azure shows it (base64 of 64 random bytes) → the HMAC key. False for anything not strict
// base64 (the key is never logged; the caller's error names only the backend).
bool decode_account_key(std::string_view base64_key, std::string& key_out);

std::string canonicalized_headers(const Headers& headers);
std::string canonicalized_resource(std::string_view account, std::string_view path,
                                   const std::vector<http::QueryParam>* query);
std::string string_to_sign(const SharedKeyRequest& req);

// base64(HMAC-SHA256(key, string_to_sign)), key already decoded.
std::string signature(std::string_view key, std::string_view string_to_sign);

// "SharedKey account:signature". False (and `out` empty) when a header, the path or a query parameter holds CR,
// LF or NUL (each would forge a line of the string to sign):
// such a request is a caller bug, not something to sign around.
bool authorization(const SharedKeyRequest& req, std::string_view key, std::string& out);

}  // namespace s3p::azure
