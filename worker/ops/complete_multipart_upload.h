// CompleteMultipartUpload (POST …?uploadId=U): the client's part list is read into the core (bounded), checked
// against the hash the client signed, validated (parts 1–10000, ascending, each with an ETag), and re-rendered
// for the backend; the backend's result (which may be an error inside a 200) is answered in our key space.
#pragma once
#include "worker/ops/op_context.h"

namespace s3p {

Planned plan_complete_multipart_upload(OpContext& ctx);

// The part list re-rendered from a client's CompleteMultipartUpload document (only PartNumber, ETag and the
// checksums of each part pass), or the S3 error the document earns.
// `parts`, when given, gets each part's number and ETag in order.
struct NamedPart {
  uint32_t number;
  std::string etag;
};
Parsed<std::string> complete_document(std::string_view body, std::vector<NamedPart>* parts = nullptr);

}  // namespace s3p
