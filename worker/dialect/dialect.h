// The backend dialect seam (issue 17): what an operation asks of an object store, in neutral terms, and the one
// dialect per store that renders, signs and reads it. Operations (worker/ops/) say *what* they want — read this
// key with this range and these conditions, list under this prefix from this token, is the bucket there — and get
// back the answer's headers in S3's names, a neutral error class (proto/backend_error.h) for the one mapper
// (ops/backend_op.h backend_error_answer), and the client's S3 listing. A dialect states what it can do
// (Capabilities) so that an operation refuses up front what the backend cannot honour, instead of learning it
// from a failed request.
//
// Neutral terms: a read's range and conditions are RFC 9110's own fields (Range, If-Match, If-None-Match,
// If-Modified-Since, If-Unmodified-Since), which every store here speaks; the version is S3's versionId. A read
// may also carry S3-only headers (checksum mode, SSE-C keys) and partNumber: only a dialect that says so accepts
// them (unsupported_read), the others refuse the request before any backend work.
//
// Writes (ObjectWrite) name a step and carry the client's object headers in S3's names; each dialect renders
// them (S3: as before the seam; Azure: Put Blob, Delete Blob, Copy Blob, Put Block / Put Block List). A dialect
// without capabilities().writes refuses them at planning (core/client_request.cpp).
//
// Dialects: S3 (s3_dialect.cpp: path-style SigV4, today's requests moved here unchanged), Azure Blob
// (azure_dialect.cpp: Shared Key). Adding one: worker/README.md "Adding a dialect".
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "worker/config/config.h"
#include "worker/dialect/credentials.h"
#include "worker/http/uri.h"
#include "worker/proto/action.h"
#include "worker/proto/backend_error.h"
#include "worker/s3/list_rewrite.h"
#include "worker/sign/sigv4.h"

namespace s3p::dialect {

struct Capabilities {
  bool payload_hash = false;      // the backend rejects a body that does not match the signed x-amz-content-sha256
  bool writes = false;            // the proxy renders this dialect's writes (puts, deletes, copies, multipart)
  bool multipart = false;         // S3's multipart upload steps
  bool batch_delete = false;      // one request deletes many keys
  bool server_side_copy = false;  // a copy within the backend, without the bytes passing through
  bool suffix_range = false;      // "Range: bytes=-N" is sent as it is (else the read learns the size first)
  // A listing can start after a given key (S3's start-after). Without it, V1 pages resume by a NextMarker the
  // proxy seals (the backend's own marker, as a V2 token holds it) instead of by a key.
  bool start_after = false;
  // Multipart upload ids are minted and sealed by the proxy (ops/minted_upload.h), not by the backend: Create and
  // Abort make no backend call, a part is a block the upload's nonce names, Complete commits the named blocks.
  bool proxy_uploads = false;
  // Copies and CompleteMultipartUpload answer with S3's XML result documents (else the answer's ETag and
  // Last-Modified headers say it).
  bool xml_results = false;
  // A copy takes the new object's properties (Content-Type, Cache-Control, …: S3's metadata directive REPLACE).
  // Without it a REPLACE copy is followed by a SetProperties step.
  bool copy_properties = false;
};

// Signing context of one round: the time and S3's signing-key cache (a dialect that does not need it ignores it).
struct Signing {
  int64_t now_s;
  sigv4::SigningKeyCache& keys;
};

// GetObject / HeadObject.
struct ObjectRead {
  bool head = false;
  std::string_view key;                               // full backend key (repository prefix + client key), not empty
  const Headers* headers = nullptr;                   // range, conditions and carried headers (forwarded_read_headers)
  const std::vector<http::QueryParam>* query = nullptr;  // versionId, partNumber (decoded); may be null
};

// One page of a listing, in the backend's key space.
struct ListCall {
  std::string_view prefix;       // repository prefix + the client's prefix inside it
  std::string_view delimiter;    // "" = none
  uint32_t max_keys = 1000;
  std::string_view token;        // the backend's own continuation token / marker from a previous page ("" = start)
  std::string_view start_after;  // backend key to start after ("" = none; a dialect without it drops on render)
  bool url_encoded = false;      // the client asked encoding-type=url
  bool owners = false;           // the page must carry owners (V1, or V2 fetch-owner)
};

// How the backend's page becomes the client's S3 page (what xml::ListRewrite and azure::ListRender both need).
struct ListView {
  std::string_view backend_prefix;  // the repository's prefix, stripped from keys
  std::string_view client_prefix;   // "repo/" ("" in a flat bucket), prepended
  std::string_view bucket;          // the account name
  bool v2 = true;
  bool url_encoded = false;
  std::string_view prefix;          // the client's prefix, echoed
  std::string_view delimiter;       // the client's delimiter, echoed
  uint32_t max_keys = 1000;
  std::optional<std::string_view> continuation_token;  // V2: the client's token, echoed
  std::string_view start_after;     // V2 start-after / V1 marker, client key space ("" = none)
  std::string_view owner_id;
  bool owners = false;              // the page carries owners
  // The backend's next token → the client's <NextContinuationToken> (the list operation seals it).
  std::function<std::string(std::string_view backend_token)> seal_next;
};

// The write steps, in neutral terms.
enum class WriteStep : uint8_t {
  Put,             // the client's body becomes the object
  Delete,          // (S3: a version, with versionId)
  DeleteBatch,     // batch_delete only: the <Delete> document in `body`, on the bucket (key "")
  Copy,            // server_side_copy: the object becomes a copy of `copy_source`
  SetProperties,   // without copy_properties: after a REPLACE Copy, the object's content-* and cache-control
                   // become the client's (those it does not name are cleared), If-Match the copy's ETag
  CopyPart,        // a part becomes a copy of (a range of) `copy_source` (not with proxy_uploads)
  CreateUpload,    // not with proxy_uploads
  UploadPart,      // the client's body becomes a part (proxy_uploads: the block `block_id`)
  CompleteUpload,  // the parts become the object (S3: the parts document in `body`; proxy_uploads: `blocks`)
  AbortUpload,     // not with proxy_uploads
  ListParts,       // (proxy_uploads: the blob's uncommitted block list, which the operation filters)
  ListUploads,     // on the bucket (key ""); not with proxy_uploads
};

struct ObjectWrite {
  WriteStep step = WriteStep::Put;
  std::string_view key;                  // full backend key; empty only for DeleteBatch and ListUploads
  const Headers* headers = nullptr;      // the client's, in S3's names: object headers (content-*, cache-control,
                                         // x-amz-meta-*), content-md5, conditions, checksums, copy conditions
  Body body;                             // Put / UploadPart: the client's body; S3's XML documents
  std::string_view payload_hash = sigv4::kEmptyPayloadHash;  // what the body was declared as (S3 signs it)
  int64_t length = -1;                   // the body's length in bytes (-1 = unknown: a dialect that must sign it
                                         // refuses the request)
  const std::vector<http::QueryParam>* query = nullptr;  // S3's own (versionId, uploadId, partNumber, ...)
  // Copy / CopyPart: the source object (same endpoint and principal, ops/copy_from.cpp checked).
  const Backend* copy_source = nullptr;
  std::string_view copy_source_key, copy_source_version;
  // proxy_uploads: UploadPart's block id; CompleteUpload's block ids in order.
  std::string_view block_id;
  const std::vector<std::string>* blocks = nullptr;
};

// A backend's error answer, classified: the neutral class and the backend's own code (for the log only).
struct Classified {
  BackendError error;
  std::string code;
};

class Dialect {
 public:
  virtual ~Dialect() = default;
  virtual std::string_view name() const = 0;
  virtual const Capabilities& capabilities() const = 0;

  // Why this dialect cannot carry out the read as asked ("" = it can): the request is refused (501) unsent.
  virtual std::string_view unsupported_read(const Headers& forwarded, const std::vector<http::QueryParam>& query) const = 0;
  // The requests. `creds` null = anonymous. A request the dialect cannot build has an empty url (the request then
  // answers an internal error instead of sending it).
  virtual FetchAction read(const Backend& b, const ObjectRead& r, const BackendCredentials* creds, Signing s) const = 0;
  virtual FetchAction list(const Backend& b, const ListCall& c, const BackendCredentials* creds, Signing s) const = 0;
  virtual FetchAction probe_bucket(const Backend& b, const BackendCredentials* creds, Signing s) const = 0;
  virtual FetchAction write(const Backend& b, const ObjectWrite& w, const BackendCredentials* creds, Signing s) const = 0;

  // A successful answer's headers, renamed in place into S3's (metadata, storage class); what S3 clients must not
  // see is the operation's to drop (ObjectOp::passes_through).
  virtual void answer_headers(Headers& h) const = 0;
  // An error answer (status >= 300): its class. A HEAD answer has no body: the code is read where the dialect puts it.
  virtual Classified classify(const FetchResult& r) const = 0;
  // The backend's listing page → the client's S3 page; false with `error` (for the log) when it cannot be read.
  virtual bool render_listing(std::string_view body, const ListView& v, std::string& out, std::string& error,
                              xml::ListPage* page) const = 0;
};

// The dialect of a backend (config: "dialect", default "s3").
const Dialect& of(const Backend& b);

// An error answer's class for this backend: its dialect's `classify`, except that an Azure SAS the backend refuses
// (expired, lacking the permission, revoked) is Forbidden (the client's 403 AccessDenied): a SAS is a grant with
// fixed rights and expiry that no retry or exchange renews, unlike a Shared Key or token the proxy holds wrong
// (CredentialsRefused: 502).
Classified classify_answer(const Backend& b, const FetchResult& r);

}  // namespace s3p::dialect
