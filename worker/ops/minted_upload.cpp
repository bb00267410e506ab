#include "worker/ops/minted_upload.h"

#include "worker/azure/s3_view.h"
#include "worker/crypto/base64.h"
#include "worker/crypto/md5.h"
#include "worker/crypto/sha256.h"

namespace s3p {
namespace {

constexpr char kVersion = 0x02;  // list tokens are 0x01 (and bound differently)
constexpr size_t kMaxIdLength = 8192;

void put_field(std::string& out, std::string_view field) {
  const uint32_t n = static_cast<uint32_t>(field.size());
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((n >> shift) & 0xFF);
  out.append(field);
}

std::string binding(const UploadBinding& b) {
  std::string out = "s3p upload id";
  out += kVersion;
  put_field(out, b.account);
  put_field(out, b.repo);
  put_field(out, b.key);
  return out;
}

UploadBinding binding_of(const OpContext& ctx) { return {ctx.account->name, ctx.repo->name, ctx.key}; }

}  // namespace

MintedUpload new_upload(const OpContext& ctx, Headers object_headers) {
  // No randomness without a host round trip: the creating request's own headers (its signature and time among
  // them), task id and object, hashed. Two uploads share a nonce only if one request is replayed as is.
  std::string seed = std::to_string(ctx.task_id);
  put_field(seed, ctx.account->name);
  put_field(seed, ctx.repo->name);
  put_field(seed, ctx.key);
  for (const Header& h : ctx.headers) {
    put_field(seed, h.name);
    put_field(seed, h.value);
  }
  const crypto::Digest d = crypto::sha256(seed);
  MintedUpload u;
  u.nonce.assign(reinterpret_cast<const char*>(d.data()), kUploadNonceSize);
  u.headers = std::move(object_headers);
  return u;
}

bool open_upload(const OpContext& ctx, MintedUpload& out, Failure& failure) {
  for (const auto& p : ctx.params)
    if (p.name == "uploadId" && open_upload_id(ctx.config.listing_token_keys, binding_of(ctx), p.value, out)) return true;
  failure = client_fault(errors::NoSuchUpload, "not an upload id of this object");
  return false;
}

std::string upload_id_of(const OpContext& ctx, const MintedUpload& u) {
  return mint_upload_id(ctx.config.listing_token_keys, binding_of(ctx), u);
}

std::string mint_upload_id(const crypto::SivKeys& keys, const UploadBinding& b, const MintedUpload& u) {
  std::string plain = u.nonce;
  for (const Header& h : u.headers) plain.append(h.name).append(":").append(h.value).append("\n");
  return b64::encode_url(std::string(1, kVersion) + crypto::siv_seal(keys, binding(b), plain));
}

bool open_upload_id(const crypto::SivKeys& keys, const UploadBinding& b, std::string_view id, MintedUpload& out) {
  std::string raw, plain;
  if (id.size() > kMaxIdLength || !b64::decode_url(id, raw) || raw.empty() || raw[0] != kVersion) return false;
  if (!crypto::siv_open(keys, binding(b), std::string_view(raw).substr(1), plain) || plain.size() < kUploadNonceSize)
    return false;
  out.nonce = plain.substr(0, kUploadNonceSize);
  out.headers.clear();
  std::string_view rest = std::string_view(plain).substr(kUploadNonceSize);
  while (!rest.empty()) {
    const size_t nl = rest.find('\n'), colon = rest.find(':');
    if (nl == std::string_view::npos || colon > nl) return false;
    out.headers.push_back({std::string(rest.substr(0, colon)), std::string(rest.substr(colon + 1, nl - colon - 1))});
    rest.remove_prefix(nl + 1);
  }
  return true;
}

std::string block_id(std::string_view nonce, uint32_t part) {
  std::string raw(nonce);
  for (int shift = 24; shift >= 0; shift -= 8) raw += static_cast<char>((part >> shift) & 0xFF);
  return b64::encode(raw);
}

bool block_part(std::string_view nonce, std::string_view id, uint32_t& part) {
  std::string raw;
  if (!b64::decode(id, raw) || raw.size() != nonce.size() + 4 || std::string_view(raw).substr(0, nonce.size()) != nonce)
    return false;
  part = 0;
  for (size_t i = nonce.size(); i < raw.size(); i++) part = (part << 8) | static_cast<uint8_t>(raw[i]);
  return part >= 1 && part <= 10000;
}

std::string part_etag(std::string_view id) {
  // Not the part's MD5, so in the form that says so (azure/s3_view.h): s3cmd checks a part's ETag against the
  // part's MD5 unless it holds a '-'.
  const crypto::Md5Digest d = crypto::md5(id);
  return azure::etag_to_s3(crypto::hex(d.data(), d.size()));
}

}  // namespace s3p
