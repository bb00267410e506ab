// Google Cloud Storage through its XML API: S3's wire format (path-style URLs, ListObjectsV2, S3's error document),
// so this dialect is the S3 dialect with what differs, each row handled here:
//
//   S3                                GCS XML API
//   SigV4 with access keys            SigV4 with HMAC keys (interoperability mode; region "auto"), or
//                                     "Authorization: Bearer" with a workload identity federation token
//   x-amz-checksum-* / checksum mode  not accepted: dropped from what is sent (GCS checks its own x-goog-hash)
//   payload hash enforced             not relied on (capabilities().payload_hash is false)
//   DeleteObjects (POST ?delete)      none (capabilities().batch_delete is false)
//   partNumber reads, SSE-C headers   refused (501): GCS has neither in S3's form
//   answer x-amz-meta-* / storage     GCS may answer x-goog-meta-* / x-goog-storage-class: renamed to S3's;
//   class                             other x-goog-* (generation, hash, stored length) never reach clients
//   listing <Generation>,             dropped by the S3 rewrite, which copies only the fields S3 defines
//   <MetaGeneration>, Owner
//   401 (a bearer token refused)      CredentialsExpired (the client retries; the tiers renew ahead of expiry)
//
// Writes, copies and multipart go through dialect::s3_request (ops/backend_fetch.h) as for S3.
#pragma once
#include "worker/dialect/dialect.h"

namespace s3p::dialect {

const Dialect& gcs();

// The headers of a request as GCS takes them: S3's checksum headers removed.
Headers gcs_forwardable(const Headers& forwarded);

}  // namespace s3p::dialect
