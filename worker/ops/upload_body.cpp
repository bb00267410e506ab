#include "worker/ops/upload_body.h"

#include "worker/crypto/base64.h"
#include "worker/dialect/dialect.h"
#include "worker/ops/put_object.h"

namespace s3p {
namespace {

// "aws-chunked" removed from a Content-Encoding list: it names the framing the host takes off, not the object's
// own encoding (which S3 stores without it). Empty when nothing else remains.
std::string without_aws_chunked(std::string_view list) {
  std::string out;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view token = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    if (token.empty() || token == "aws-chunked") continue;
    if (!out.empty()) out += ',';
    out += token;
  }
  return out;
}

// The forwarded headers of a decoded aws-chunked body: no framing headers (the backend gets plain bytes).
Headers decoded_headers(Headers forwarded) {
  Headers out;
  for (auto& h : forwarded) {
    if (h.name == "x-amz-decoded-content-length" || h.name == "x-amz-trailer") continue;
    if (h.name == "content-encoding") {
      h.value = without_aws_chunked(h.value);
      if (h.value.empty()) continue;
    }
    out.push_back(std::move(h));
  }
  return out;
}

// The checksums S3 takes in x-amz-checksum-* (a header, or the trailer x-amz-trailer names), with their sizes.
struct ChecksumKind {
  std::string_view header;
  std::string_view algorithm;
  size_t bytes;
};
constexpr ChecksumKind kChecksums[] = {{"x-amz-checksum-crc32", "crc32", 4},         {"x-amz-checksum-crc32c", "crc32c", 4},
                                       {"x-amz-checksum-crc64nvme", "crc64nvme", 8}, {"x-amz-checksum-sha1", "sha1", 20},
                                       {"x-amz-checksum-sha256", "sha256", 32}};

const ChecksumKind* checksum_kind(std::string_view header) {
  for (const ChecksumKind& k : kChecksums)
    if (k.header == header) return &k;
  return nullptr;
}

bool is_sha256_hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

// A backend that recomputes no declared digest (dialect capability payload_hash false: Azure, GCS's XML API) gets
// the client's body checked by the host instead: every digest the client declared (x-amz-content-sha256's hex, an
// x-amz-checksum-* header or the trailer x-amz-trailer names), the last bytes held back until they match, so a body
// that differs from what the client declared is never stored. An unsigned aws-chunked body is decoded there too.
bool plan_checked_body(const OpContext& ctx, std::string_view declared, UploadBody& out, Failure& failure) {
  BodyCheck check;
  for (const auto& h : ctx.headers) {
    const ChecksumKind* kind = checksum_kind(h.name);
    if (!kind) continue;
    std::string raw;
    if (!b64::decode(h.value, raw) || raw.size() != kind->bytes)
      return failure = client_fault(errors::InvalidChecksumValue, h.name), false;
    if (!check.digests.empty()) return failure = client_fault(errors::MultipleChecksums, h.name), false;
    check.digests.push_back({std::string(kind->algorithm), false, h.value, ""});
  }
  if (declared == "STREAMING-UNSIGNED-PAYLOAD-TRAILER") {
    const std::string* length = find_header(ctx.headers, "x-amz-decoded-content-length");
    if (!length) return failure = client_fault(errors::MissingContentLength, "no x-amz-decoded-content-length"), false;
    if (!parse_decoded_length(*length, check.length))
      return failure = client_fault(errors::BadDecodedLength, "x-amz-decoded-content-length"), false;
    if (const std::string* trailer = find_header(ctx.headers, "x-amz-trailer")) {
      const ChecksumKind* kind = checksum_kind(*trailer);
      if (!kind) return failure = client_fault(errors::UnsupportedTrailer, *trailer), false;
      if (!check.digests.empty()) return failure = client_fault(errors::MultipleChecksums, *trailer), false;
      check.digests.push_back({std::string(kind->algorithm), false, "", std::string(kind->header)});
    }
    check.aws_chunked = true;
    out.headers = decoded_headers(std::move(out.headers));
    out.length = static_cast<int64_t>(check.length);
    out.payload_hash = std::string(sigv4::kUnsignedPayload);
  } else {
    if (out.length < 0) return failure = client_fault(errors::MissingContentLength, "no content-length"), false;
    if (is_sha256_hex(declared)) check.digests.push_back({"sha256", true, std::string(declared), ""});
    check.length = static_cast<uint64_t>(out.length);
    // Presigned URLs and SigV2 declare nothing: the body is sent unsigned, as S3 itself takes it from them.
    out.payload_hash = declared.empty() ? std::string(sigv4::kUnsignedPayload) : std::string(declared);
  }
  if (check.digests.empty() && !check.aws_chunked) return true;  // nothing to check, nothing to decode: as sent
  out.body.kind = BodyKind::Checked;
  out.body.check = std::move(check);
  return true;
}

}  // namespace

bool parse_decoded_length(std::string_view text, uint64_t& out) {
  constexpr uint64_t kMax = 5ull << 40;
  if (text.empty() || text.size() > 13) return false;
  out = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<uint64_t>(c - '0');
  }
  return out <= kMax;
}

bool plan_upload_body(const OpContext& ctx, UploadBody& out, Failure& failure) {
  const std::string_view declared = ctx.payload_hash;
  out.headers = PutObjectOp::forwarded_headers(ctx.headers);
  out.body = Body{BodyKind::Handle, {}, 1};  // the client's request body
  if (declared == sigv4::kStreamingSignedPayload) {
    const std::string* length = find_header(ctx.headers, "x-amz-decoded-content-length");
    if (!length) return failure = client_fault(errors::MissingContentLength, "no x-amz-decoded-content-length"), false;
    ChunkSignatures& c = out.body.chunks;
    if (!parse_decoded_length(*length, c.decoded_length))
      return failure = client_fault(errors::BadDecodedLength, "x-amz-decoded-content-length"), false;
    if (!ctx.caller || !ctx.chunk_seed || ctx.chunk_seed->signature.empty())  // the verifier always sets both
      return failure = core_fault("signed chunks without a verified seed"), false;
    out.body.kind = BodyKind::SignedChunks;
    c.signing_key.assign(ctx.chunk_seed->signing_key.begin(), ctx.chunk_seed->signing_key.end());
    c.amz_date = ctx.chunk_seed->amz_date;
    c.scope = ctx.chunk_seed->scope;
    c.seed_signature = ctx.chunk_seed->signature;
    out.payload_hash = std::string(sigv4::kUnsignedPayload);
    out.headers = decoded_headers(std::move(out.headers));
    out.length = static_cast<int64_t>(c.decoded_length);
    return true;
  }
  if (starts_with(declared, "STREAMING-") && declared != "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
    return failure = client_fault(errors::SignedChunksUnsupported, std::string(declared)), false;
  if (const std::string* length = find_header(ctx.headers, "content-length")) {
    uint64_t n = 0;
    if (parse_decoded_length(*length, n)) out.length = static_cast<int64_t>(n);
  }
  if (!dialect::of(*ctx.repo->backend).capabilities().payload_hash) return plan_checked_body(ctx, declared, out, failure);
  // Presigned URLs and SigV2 declare nothing: the body is sent unsigned, as S3 itself takes it from them.
  out.payload_hash = declared.empty() ? std::string(sigv4::kUnsignedPayload) : std::string(declared);
  return true;
}

}  // namespace s3p
