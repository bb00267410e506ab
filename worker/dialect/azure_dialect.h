// The Azure Blob Storage dialect: Get Blob / Get Blob Properties / List Blobs / Get Container Properties, signed
// with Shared Key (sign/azure_shared_key.h) or anonymous (a public container), errors classified by
// azure/errors.h, listings rendered by azure/list_blobs.h.
//
//   S3 (neutral)                      Azure
//   GET/HEAD key                      GET/HEAD {base}/{container}/{blob}   (each segment percent-encoded, '/' kept)
//   Range: bytes=a-b, bytes=a-        Range as is (Azure reads both forms)
//   Range: bytes=-n                   never sent: Azure has no suffix form (capabilities().suffix_range is false;
//                                     the read learns the size first, ops/get_object.cpp)
//   If-Match / If-None-Match /        ETags mapped back (below), else as is (Azure answers 304 / 412 as S3 does)
//   If-(Un)Modified-Since
//   versionId                         versionid; "null" (S3's null version) → none: the base blob
//   ETag (answers, List Blobs)        "<Azure ETag>-azure", and back on every If-Match / If-None-Match /
//                                     x-amz-copy-source-if-(none-)match sent (azure/s3_view.h)
//   x-amz-meta-NAME ↔ x-ms-meta-NAME  NAME encoded as a C# identifier where it is none (azure/s3_view.h)
//   partNumber, SSE-C keys            refused (501): Azure has no parts of a stored blob, and its customer-provided
//                                     keys are another protocol
//   x-amz-checksum-mode               dropped (Azure sends no S3 checksums; an SDK then has none to check)
//   list prefix/delimiter/max-keys/   restype=container&comp=list&prefix&delimiter&maxresults&marker
//   token                             (start-after has no Azure form: the renderer drops what it skips)
//   HeadBucket                        HEAD {base}/{container}?restype=container
//   answer x-ms-meta-*                x-amz-meta-*, names decoded (x-ms-access-tier Cool/Cold/Archive → x-amz-storage-class)
//   error code                        x-ms-error-code (HEAD answers have no body), else the body's <Code>
//
// Every request carries x-ms-date and x-ms-version (azure::kApiVersion); with a Shared Key every header sent is
// signed (the standard ones by position, all x-ms-* canonicalized).
#pragma once
#include "worker/dialect/dialect.h"

namespace s3p::dialect {

const Dialect& azure();

// The URL path of a blob ("" key: the container itself), as sent and as signed.
std::string azure_path(const Backend& b, std::string_view key);

}  // namespace s3p::dialect
