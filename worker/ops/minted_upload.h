// Multipart uploads on a backend that has none of its own (capabilities().proxy_uploads: Azure, where an upload
// is uncommitted blocks and Complete is Put Block List). The proxy mints the upload id and seals into it what the
// later steps need, so that no state is kept anywhere:
//
//   upload id = base64url(0x02 || siv_seal(keys, binding, nonce || headers))
//   binding   = "s3p upload id" || account || repository || key   (length-prefixed: an id opens for its object only)
//   nonce     = 12 bytes, from the creating request (its signature, time and task id hashed): names the blocks
//   headers   = the object headers given at Create ("name:value\n"; S3 names), applied at Complete
//
// A part is the block base64(nonce || u32be(part number)): one length for every block id of a blob, as Azure
// requires, and ListParts keeps the uncommitted blocks with this upload's nonce. A part's ETag is a stable digest
// of its block id (the same in UploadPart's answer and in ListParts, which Get Block List gives no digest for).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "worker/crypto/siv_hmac.h"
#include "worker/http/headers.h"
#include "worker/ops/op_context.h"

namespace s3p {

struct UploadBinding {
  std::string_view account, repo, key;
};

struct MintedUpload {
  std::string nonce;  // kUploadNonceSize bytes
  Headers headers;    // the object headers given at Create
};

inline constexpr size_t kUploadNonceSize = 12;
// The object headers an upload id may carry (S3 allows 2 KB of user metadata; the id grows with them).
inline constexpr size_t kMaxUploadHeaders = 2560;

std::string mint_upload_id(const crypto::SivKeys& keys, const UploadBinding& b, const MintedUpload& u);
// False for anything that is not an id these keys minted for this object.
bool open_upload_id(const crypto::SivKeys& keys, const UploadBinding& b, std::string_view id, MintedUpload& out);

std::string block_id(std::string_view nonce, uint32_t part);
// The part number of a block id of this upload; false for another upload's block (or no block id of ours).
bool block_part(std::string_view nonce, std::string_view block_id, uint32_t& part);
// A part's ETag when no MD5 of it is known (ListParts always): "hex(md5(block id))-azure", stable, marked as no MD5.
std::string part_etag(std::string_view block_id);

// The request's upload: minted for its object (CreateMultipartUpload), or opened from its uploadId (the other
// steps; false with NoSuchUpload for an id that is not one of ours for this object).
MintedUpload new_upload(const OpContext& ctx, Headers object_headers);
bool open_upload(const OpContext& ctx, MintedUpload& out, Failure& failure);
std::string upload_id_of(const OpContext& ctx, const MintedUpload& u);

}  // namespace s3p
