// What the core asks its host to do, and what the host reports back. The core never performs I/O: each request
// yields Actions one at a time and consumes Results (see host_shim/README.md for the wire form and the loop).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "worker/http/headers.h"

namespace s3p {

enum class ActionKind : uint32_t {
  Fetch = 1,    // perform a subrequest with a timeout; result: FetchResult
  Wait = 5,     // park until woken (another request finished something) or `number` ms pass; result: flag=woken
  Spawn = 6,    // start task `number` under waitUntil and keep going without a result
  Respond = 7,  // final answer to the client; no result; the request then yields Done
  Done = 8,     // nothing more to do: the host writes Action::log_line (if any) and releases the task
  // Host primitives the core cannot (or must not) do itself. Policy stays in the core; each result is `flag` (ok)
  // + `data` (+ `error`, log only). Secrets are named, never passed: the host reads them from its environment.
  Random = 9,       // `number` bytes from the host's CSPRNG; result: data
  SignRs256 = 10,   // RSASSA-PKCS1-v1_5/SHA-256 of call.data with the PKCS#8 key in secret call.name; result: data
  Seal = 11,        // AES-256-GCM of call.data, AAD call.aad, key = base64 secret call.name, fresh random 96-bit IV;
                    // result: data = IV || ciphertext || tag
  Open = 12,        // the inverse of Seal; flag=false when it does not authenticate (wrong key, tampered, truncated)
  CacheMatch = 13,  // Cache API match of URL call.name; result: flag = hit, data = body
  CachePut = 14,    // Cache API put of call.data under URL call.name with call.headers; result: flag = stored
  ReadBody = 15,    // read the client's body whole, at most `number` bytes within `deadline_ms` (small XML bodies only: DeleteObjects,
                    // CompleteMultipartUpload); result: flag = read (false: larger than that, or unreadable), data
  OpenChunks = 16,  // open a stream of object bytes assembled from cached chunks (ChunkPlan); result: FetchResult
  CacheDelete = 17, // Cache API delete of URL call.name; result: flag = done
  RegistryGet = 18, // read registry entry call.name within `number` ms from call.data: a KV binding's name, or the
                    // entry's URL in the registry API (GET with the bearer token in Worker secret call.aad); result:
                    // flag = answered (false: failed or timed out), data = the entry's text ("" = no such entry)
  VerifySignature = 19,  // a JWS signature: call.name = "RS256" (RSASSA-PKCS1-v1_5/SHA-256) or "ES256" (ECDSA P-256/
                         // SHA-256, raw r||s), call.aad = the public key as a JWK, call.data = the signed bytes,
                         // call.signature = the signature; result: flag = it verifies (false: it does not, or the
                         // key does not import)
  FetchBatch = 20,  // perform the Fetch actions in `batch` concurrently (each with its own timeout); result: `batch`,
                    // one FetchResult per fetch, in the same order. Bodies are None or Bytes and responses buffered
                    // (small: status, headers, an error document), so no stream handle is made or consumed
};

// SignedChunks (Fetch only): stream `handle` framed as signed aws-chunked (STREAMING-AWS4-HMAC-SHA256-PAYLOAD);
// the host sends the decoded bytes, checking every chunk's signature before passing its bytes on.
// Checked (Fetch only): stream `handle` (unsigned aws-chunked when `check.aws_chunked`: the host takes the
// framing off), computing the digests the client declared and holding the last bytes back until they match — for
// a backend that does not recompute them itself (dialect capability payload_hash false).
enum class BodyKind : uint32_t { None = 0, Bytes = 1, Handle = 2, SignedChunks = 3, Checked = 4 };

// One digest the host checks a Checked body against. `algorithm`: sha256 (the declared x-amz-content-sha256, hex),
// or crc32, crc32c, crc64nvme, sha1, sha256 of an x-amz-checksum-* value (base64). `expected` empty: the value
// comes in the body's trailer, under `trailer` (e.g. x-amz-checksum-crc32).
struct BodyDigest {
  std::string algorithm;
  bool hex = false;       // x-amz-content-sha256's hex, else a checksum's base64
  std::string expected;
  std::string trailer;
};

struct BodyCheck {
  bool aws_chunked = false;  // STREAMING-UNSIGNED-PAYLOAD-TRAILER framing (`hex-size CRLF data CRLF`…, trailer)
  uint64_t length = 0;       // the bytes sent: exactly this many (the decoded length), or none
  std::vector<BodyDigest> digests;
};

// How the host checks a signed-chunks body. The chunk signatures chain from the seed (the request's own
// signature, which the core has verified); the signing key derives from the access key's secret, which the host
// reads from its environment by name, as it does for every secret.
struct ChunkSignatures {
  std::string signing_key;     // the SigV4 signing key for `scope` (32 bytes), not the access key's secret
  std::string amz_date;        // the request's x-amz-date
  std::string scope;           // yyyymmdd/region/s3/aws4_request
  std::string seed_signature;  // the Authorization header's signature (hex)
  uint64_t decoded_length = 0; // x-amz-decoded-content-length: exactly this many bytes are sent, or none
};

struct Body {
  Body();
  Body(BodyKind kind, std::string bytes, uint32_t handle);
  ~Body();
  Body(const Body&);
  Body(Body&&) noexcept;
  Body& operator=(const Body&);
  Body& operator=(Body&&) noexcept;
  BodyKind kind = BodyKind::None;
  std::string bytes;    // BodyKind::Bytes: small bodies the core made or must send (XML, forms)
  uint32_t handle = 0;  // BodyKind::Handle, SignedChunks, Checked: a stream the host owns (1 = the client's body)
  ChunkSignatures chunks = {};  // BodyKind::SignedChunks
  BodyCheck check = {};         // BodyKind::Checked
};

// How the host treats a subrequest's response body.
enum class ResponseMode : uint32_t {
  Stream = 0,             // keep it as a stream handle (object bytes never enter the core)
  Buffer = 1,             // read it whole (up to max_body) and feed the bytes back
  StreamUnlessError = 2,  // stream a status < 400; buffer an error body so the core can rewrite it
};

// The most fetches one FetchBatch carries (the decoder refuses a larger result): a bound on what one action
// asks of the host, well above what an operation uses (ops/delete_objects.cpp: its window).
constexpr uint32_t kMaxFetchBatch = 64;

struct FetchAction {
  FetchAction();
  ~FetchAction();
  FetchAction(const FetchAction&);
  FetchAction(FetchAction&&) noexcept;
  FetchAction& operator=(const FetchAction&);
  FetchAction& operator=(FetchAction&&) noexcept;
  std::string method;
  std::string url;  // never empty in an action the core yields (empty = a request refused as it was built)
  Headers headers;
  Body body;
  uint32_t timeout_ms = 30000;  // until response headers (and, for buffered bodies, the whole body)
  ResponseMode mode = ResponseMode::Stream;
  uint32_t max_body = 1 << 20;
  // A Worker secret holding a query string (an Azure SAS) the host appends to `url` ('?' or '&' before it) and, when
  // `url_secret_header` names a header of this request, to that header's value (a URL: Copy Blob's source). The
  // core never holds the secret's value; the host never logs it.
  std::string url_secret;
  std::string url_secret_header;
};

struct RespondAction {
  uint32_t status = 200;
  Headers headers;
  Body body;
  std::string log_line;  // one JSON line; the host writes it to the log
  std::vector<uint32_t> background;  // tasks the host runs under waitUntil once it has answered (cache writes)
  uint32_t body_deadline_ms = 0;     // a Handle body is cut when still streaming this long after the answer; 0: never
};

// One chunk of an OpenChunks plan: where its bytes are (a Cache API entry, or the origin), and which of them the
// client gets. The host serves a part from, in order: the stream `handle` (bytes already on their way), a fetch of
// the same entry already running in this isolate, the cache entry (valid only if it carries `tag` and is exactly
// `entity_length` long), or `fetch`; a chunk it fetched it stores under `cache_url` in the background.
struct ChunkPart {
  std::string cache_url;
  std::string tag;             // the x-s3p-chunk header a valid entry carries
  uint32_t entity_length = 0;  // the whole chunk's length
  uint32_t offset = 0;         // the client's bytes within the chunk
  uint32_t length = 0;
  uint32_t handle = 0;         // > 0: the chunk's bytes are this stream (a fetch the core already made)
  // The chunk is admitted (cache/admission.h): on a miss `fetch` asks for the whole chunk, stored on the way.
  // Not admitted: on a miss `fetch` asks for the client's bytes only (`length` of them), and nothing is stored.
  bool store = true;
  FetchAction fetch;           // from the origin: signed, ranged, conditional on the ETag (If-Match)
};

// The parts in order. Parts after the first are opened lazily, as the client reads; a part that cannot be served
// as planned (the origin answers 412: the object changed) ends the stream with an error, so a client never gets
// bytes of two versions. `store_headers`: the headers of the entries the host stores (max-age, content-type).
struct ChunkPlan {
  std::vector<ChunkPart> parts;
  Headers store_headers;
  // The object's metadata entry: when a later part finds the object changed (412), the host deletes this entry and
  // tells the core to forget it (core_forget), so that the client's retry learns the new version at once.
  std::string meta_url;
};

// Fields of the host primitives (Random … CachePut); which ones are used depends on the kind.
struct HostCall {
  std::string name;  // secret name (SignRs256, Seal, Open), cache URL (CacheMatch, CachePut, CacheDelete), entry name
  std::string aad;   // Seal, Open; RegistryGet: the API token's secret name
  std::string data;  // signing input, plaintext, sealed bytes, the body to cache; RegistryGet: binding or entry URL
  Headers headers;   // CachePut
  std::string signature;  // VerifySignature
};

// Actions, results and fetches are large aggregates of strings and vectors built on every request path; their
// special members live in action.cpp so that each use is a call, not another inlined copy (module size).
struct Action {
  Action();
  ~Action();
  Action(const Action&);
  Action(Action&&) noexcept;
  Action& operator=(const Action&);
  Action& operator=(Action&&) noexcept;
  ActionKind kind = ActionKind::Done;
  FetchAction fetch;      // Fetch
  RespondAction respond;  // Respond
  HostCall call;          // Random … CachePut, CacheDelete
  ChunkPlan chunks;       // OpenChunks
  std::vector<FetchAction> batch;  // FetchBatch: at most kMaxFetchBatch
  uint32_t number = 0;    // Wait: timeout ms; Spawn: task id; Random: byte count; ReadBody: byte limit
  uint32_t deadline_ms = 0;  // ReadBody: how long the client has to send it (the host answers error "timeout")
  std::string log_line;   // Done: a background task's one JSON log line (client requests log with Respond)
};

// OpenChunks answers as a Fetch does: status 200 and the assembled stream as `handle` when the first part could
// be opened (headers: `x-s3p-source` = cache, shared or origin, where the first part came from); the origin's
// status (412: the object changed since the plan's ETag) or a transport outcome when it could not.
// BodySignatureMismatch / BodyMalformed / BodyDigestMismatch / BodyHashMismatch: a SignedChunks or Checked body
// failed the host's check (a chunk signature; the framing: a broken frame, no final chunk, bytes after it, a total
// other than the decoded length; an x-amz-checksum-* value; x-amz-content-sha256's hex), so the request to the
// backend was aborted before its last byte.
enum class FetchOutcome : uint32_t {
  Ok = 0, Timeout = 1, NetworkError = 2, BodyTooLarge = 3, BodySignatureMismatch = 4, BodyMalformed = 5,
  BodyDigestMismatch = 6, BodyHashMismatch = 7,
};

struct FetchResult {
  FetchResult();
  ~FetchResult();
  FetchResult(const FetchResult&);
  FetchResult(FetchResult&&) noexcept;
  FetchResult& operator=(const FetchResult&);
  FetchResult& operator=(FetchResult&&) noexcept;
  FetchOutcome outcome = FetchOutcome::Ok;
  uint32_t status = 0;
  Headers headers;      // lowercase names
  uint32_t handle = 0;  // body stream kept by the host (Stream modes), 0 if none
  std::string body;     // buffered body (Buffer modes)
  std::string error;    // transport error text, for the log only
  double elapsed_ms = 0;
};

struct Result {
  Result();
  ~Result();
  Result(const Result&);
  Result(Result&&) noexcept;
  Result& operator=(const Result&);
  Result& operator=(Result&&) noexcept;
  ActionKind kind = ActionKind::Done;  // which action this answers
  FetchResult fetch;
  std::vector<FetchResult> batch;  // FetchBatch: one per fetch asked, in order
  bool flag = false;  // Wait: true = woken, false = timed out; host primitives: ok
  std::string data;   // host primitives: output bytes
  std::string error;  // host primitives: why it failed (log only)
};

}  // namespace s3p
