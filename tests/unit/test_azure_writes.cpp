// Azure writes (issue 17 part 2): what the Azure dialect renders for each neutral write step, and the upload ids
// the proxy mints for Azure multipart uploads (worker/ops/minted_upload.h). The Shared Key signature itself is the
// one the reads use (test_azure_dialect.cpp, tests/azurite); these check what is signed and sent.
#include <catch2/catch.hpp>

#include <string>

#include "worker/config/config.h"
#include "worker/crypto/siv_hmac.h"
#include "worker/dialect/azure_dialect.h"
#include "worker/ops/minted_upload.h"
#include "worker/sign/azure_shared_key.h"

using namespace s3p;

namespace {

const char* const kDevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
constexpr int64_t kNow = 1796580000;

Backend azurite() {
  Backend b;
  b.name = "az";
  b.dialect = BackendDialect::Azure;
  b.scheme = "http";
  b.authority = "127.0.0.1:10000";
  b.base_path = "/devstoreaccount1";
  b.account = "devstoreaccount1";
  b.bucket = "parity";
  b.auth = BackendAuth::SharedKey;
  REQUIRE(azure::decode_account_key(kDevKey, b.account_key));
  return b;
}

const std::string* header(const FetchAction& f, std::string_view name) { return find_header(f.headers, name); }

}  // namespace

TEST_CASE("azure writes: Put Blob maps the object headers and signs the length it does not send", "[azure][writes]") {
  const Backend b = azurite();
  sigv4::SigningKeyCache keys;
  const BackendCredentials creds = BackendCredentials::azure_shared_key(b.account_key);
  const Headers h = {{"content-type", "text/plain"}, {"cache-control", "no-cache"}, {"x-amz-meta-color", "blue"},
                     {"content-md5", "XUFAKrxLKna5cZ2REBfFkg=="}, {"if-none-match", "*"},
                     {"x-amz-storage-class", "STANDARD"}, {"x-amz-checksum-crc32", "AAAAAA=="}};
  dialect::ObjectWrite w;
  w.key = "t/with space.txt";
  w.headers = &h;
  w.body = Body{BodyKind::Handle, {}, 1};
  w.length = 5;
  const FetchAction f = dialect::of(b).write(b, w, &creds, {kNow, keys});
  CHECK(f.method == "PUT");
  CHECK(f.url == "http://127.0.0.1:10000/devstoreaccount1/parity/t/with%20space.txt");
  REQUIRE(header(f, "x-ms-blob-type"));
  CHECK(*header(f, "x-ms-blob-type") == "BlockBlob");
  CHECK(*header(f, "x-ms-blob-content-type") == "text/plain");
  CHECK(*header(f, "x-ms-blob-cache-control") == "no-cache");
  CHECK(*header(f, "x-ms-meta-color") == "blue");
  CHECK(*header(f, "content-md5") == "XUFAKrxLKna5cZ2REBfFkg==");
  CHECK(*header(f, "if-none-match") == "*");
  CHECK_FALSE(header(f, "content-length"));  // signed, set by the host
  CHECK_FALSE(header(f, "x-amz-storage-class"));
  CHECK_FALSE(header(f, "x-amz-checksum-crc32"));
  CHECK(header(f, "authorization"));
  CHECK(f.body.kind == BodyKind::Handle);

  w.length = -1;  // Shared Key signs the length: unknown, nothing is sent
  CHECK(dialect::of(b).write(b, w, &creds, {kNow, keys}).url.empty());
}

TEST_CASE("azure writes: delete, block, block list, block list read, copy", "[azure][writes]") {
  const Backend b = azurite();
  sigv4::SigningKeyCache keys;
  const BackendCredentials creds = BackendCredentials::azure_shared_key(b.account_key);
  const dialect::Dialect& d = dialect::of(b);
  dialect::ObjectWrite w;
  w.key = "k";
  w.step = dialect::WriteStep::Delete;
  const std::vector<http::QueryParam> v = {{"versionId", "2026-01-01T00:00:00.0000000Z", true}};
  w.query = &v;
  FetchAction f = d.write(b, w, &creds, {kNow, keys});
  CHECK(f.method == "DELETE");
  CHECK(f.url.find("versionid=2026") != std::string::npos);

  w = {};
  w.key = "k";
  w.step = dialect::WriteStep::UploadPart;
  w.block_id = "AAAA+/==";
  w.length = 10;
  w.body = Body{BodyKind::Handle, {}, 1};
  f = d.write(b, w, &creds, {kNow, keys});
  CHECK(f.url == "http://127.0.0.1:10000/devstoreaccount1/parity/k?blockid=AAAA%2B%2F%3D%3D&comp=block");

  w = {};
  w.key = "k";
  w.step = dialect::WriteStep::CompleteUpload;
  const std::vector<std::string> blocks = {"QQ==", "Qg=="};
  const Headers h = {{"content-type", "image/tiff"}, {"x-amz-meta-a", "1"}};
  w.blocks = &blocks;
  w.headers = &h;
  f = d.write(b, w, &creds, {kNow, keys});
  CHECK(f.method == "PUT");
  CHECK(f.url.find("comp=blocklist") != std::string::npos);
  CHECK(f.body.bytes.find("<Latest>QQ==</Latest><Latest>Qg==</Latest>") != std::string::npos);
  CHECK(*header(f, "x-ms-blob-content-type") == "image/tiff");
  CHECK(*header(f, "x-ms-meta-a") == "1");

  w = {};
  w.key = "k";
  w.step = dialect::WriteStep::ListParts;
  f = d.write(b, w, &creds, {kNow, keys});
  CHECK(f.method == "GET");
  CHECK(f.url.find("blocklisttype=uncommitted") != std::string::npos);
  CHECK(f.mode == ResponseMode::Buffer);

  w = {};
  w.key = "dst";
  w.step = dialect::WriteStep::Copy;
  w.copy_source = &b;
  w.copy_source_key = "src dir/a.txt";
  const Headers ch = {{"x-amz-metadata-directive", "REPLACE"}, {"x-amz-meta-x", "y"},
                      {"x-amz-copy-source-if-match", "\"0x1\""}};
  w.headers = &ch;
  f = d.write(b, w, &creds, {kNow, keys});
  CHECK(*header(f, "x-ms-copy-source") == "http://127.0.0.1:10000/devstoreaccount1/parity/src%20dir/a.txt");
  CHECK(*header(f, "x-ms-meta-x") == "y");
  CHECK(*header(f, "x-ms-source-if-match") == "\"0x1\"");

  for (auto step : {dialect::WriteStep::CreateUpload, dialect::WriteStep::AbortUpload, dialect::WriteStep::DeleteBatch,
                    dialect::WriteStep::CopyPart, dialect::WriteStep::ListUploads}) {
    w = {};
    w.key = "k";
    w.step = step;
    CHECK(d.write(b, w, &creds, {kNow, keys}).url.empty());
  }
}

TEST_CASE("minted upload ids: open for their object only, carry the object headers", "[azure][writes][multipart]") {
  const crypto::SivKeys keys = crypto::siv_keys("root secret");
  const UploadBinding here{"org", "repo", "a/b.bin"};
  MintedUpload u;
  u.nonce = std::string(kUploadNonceSize, '\x07');
  u.headers = {{"content-type", "application/x-thing"}, {"x-amz-meta-k", "v: w"}};
  const std::string id = mint_upload_id(keys, here, u);
  MintedUpload back;
  REQUIRE(open_upload_id(keys, here, id, back));
  CHECK(back.nonce == u.nonce);
  REQUIRE(back.headers.size() == 2);
  CHECK(back.headers[1].name == "x-amz-meta-k");
  CHECK(back.headers[1].value == "v: w");
  CHECK_FALSE(open_upload_id(keys, {"org", "repo", "a/c.bin"}, id, back));
  CHECK_FALSE(open_upload_id(keys, {"org", "repo2", "a/b.bin"}, id, back));
  CHECK_FALSE(open_upload_id(crypto::siv_keys("other"), here, id, back));
  std::string tampered = id;
  tampered[10] = tampered[10] == 'A' ? 'B' : 'A';
  CHECK_FALSE(open_upload_id(keys, here, tampered, back));
  CHECK_FALSE(open_upload_id(keys, here, "", back));

  const std::string b1 = block_id(u.nonce, 1), b10000 = block_id(u.nonce, 10000);
  CHECK(b1.size() == b10000.size());  // Azure: one block id length per blob
  uint32_t part = 0;
  CHECK(block_part(u.nonce, b10000, part));
  CHECK(part == 10000);
  CHECK_FALSE(block_part(std::string(kUploadNonceSize, '\x08'), b1, part));
  CHECK(part_etag(b1) != part_etag(b10000));
  CHECK(part_etag(b1).size() == 40);  // "hex(md5(block id))-azure": says it is no MD5 (s3_view.h)
  CHECK(part_etag(b1).substr(33) == "-azure\"");
}
