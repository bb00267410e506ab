// How a backend request carries the client's upload (PutObject, UploadPart). The body goes by handle, never
// through the core, and the request is signed so that a body changed after the client signed it never becomes
// an object:
//  - a declared hex digest, UNSIGNED-PAYLOAD or STREAMING-UNSIGNED-PAYLOAD-TRAILER: the backend request is signed
//    with the same declaration, so the backend itself recomputes and enforces it;
//  - STREAMING-AWS4-HMAC-SHA256-PAYLOAD (signed chunks, bound to the client's own signature, which no re-signed
//    request can carry): the host decodes the framing and checks every chunk's signature before passing its bytes
//    on, and the backend gets the decoded body (UNSIGNED-PAYLOAD, Content-Length = the decoded length);
//  - the trailer and ECDSA variants of signed chunks are refused (501).
// A backend that enforces no payload hash (Azure, GCS's XML API) gets the body checked by the host instead
// (BodyKind::Checked): the host recomputes every digest the client declared — x-amz-content-sha256's hex, an
// x-amz-checksum-* header, or the checksum in an unsigned aws-chunked body's trailer, whose framing it takes off —
// and holds the last bytes back until they match, so the backend request never completes with other bytes.
#pragma once
#include <string>

#include "worker/ops/op_context.h"

namespace s3p {

struct UploadBody {
  Body body;                 // the client's body (handle 1): plain, signed chunks to decode, or checked by the host
  std::string payload_hash;  // what the backend request is signed with
  Headers headers;           // the client headers forwarded with it
  int64_t length = -1;       // the bytes the backend gets (Content-Length, or the decoded length); -1 unknown
};

bool plan_upload_body(const OpContext& ctx, UploadBody& out, Failure& failure);

// x-amz-decoded-content-length as a number: digits only, at most 5 TiB (S3's largest object).
bool parse_decoded_length(std::string_view text, uint64_t& out);

}  // namespace s3p
