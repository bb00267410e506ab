// What S3 clients see of Azure's ETags and metadata names (worker/azure/s3_view.h): each mapping round-trips
// exactly, and the Azure dialect applies it on every way out (answer headers) and its inverse on every way in
// (read and write conditions, copy-source conditions, metadata sent). Listings: test_azure_list.cpp.
#include <catch2/catch.hpp>

#include <string>

#include "worker/azure/s3_view.h"
#include "worker/config/config.h"
#include "worker/dialect/azure_dialect.h"
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

std::string header(const FetchAction& f, std::string_view name) {
  const std::string* v = find_header(f.headers, name);
  return v ? *v : "<absent>";
}

bool is_csharp_identifier(const std::string& n) {
  if (n.empty() || !(std::isalpha(static_cast<unsigned char>(n[0])) || n[0] == '_')) return false;
  for (char c : n)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

}  // namespace

TEST_CASE("azure s3 view: an Azure ETag is presented with '-azure' (not an MD5, as S3 marks it) and maps back exactly",
          "[azure][s3_view]") {
  CHECK(azure::etag_to_s3("\"0x8DC5E2A6B1F3C4D\"") == "\"0x8DC5E2A6B1F3C4D-azure\"");
  CHECK(azure::etag_to_s3("0x8DC5E2A6B1F3C4D") == "\"0x8DC5E2A6B1F3C4D-azure\"");  // List Blobs' bare form
  CHECK(azure::etag_to_s3("") == "");
  for (const char* az : {"\"0x8DC5E2A6B1F3C4D\"", "\"0x1\"", "\"\"", "\"a-azure\""})
    CHECK(azure::etag_to_azure(azure::etag_to_s3(az)) == az);
  // Weak, listed, wildcard, and tags the proxy never presented.
  CHECK(azure::etag_to_azure("W/\"0x1-azure\"") == "W/\"0x1\"");
  CHECK(azure::etag_to_azure("*") == "*");
  CHECK(azure::etag_to_azure("\"0x1\"") == "\"0x1\"");
  CHECK(azure::etag_to_azure("\"d41d8cd98f00b204e9800998ecf8427e\"") == "\"d41d8cd98f00b204e9800998ecf8427e\"");
  CHECK(azure::etag_to_azure("0x1-azure") == "0x1-azure");  // unquoted: not an entity tag the proxy presented
  CHECK(azure::etag_condition_to_azure("\"0x1-azure\", \"0x2-azure\",W/\"0x3-azure\"") == "\"0x1\", \"0x2\", W/\"0x3\"");
  CHECK(azure::etag_condition_to_azure("\"a,b-azure\"") == "\"a,b\"");
  CHECK(azure::etag_condition_to_azure("*") == "*");
}

TEST_CASE("azure s3 view: metadata names become C# identifiers and come back exactly", "[azure][s3_view]") {
  // Identifiers without the marker are stored as they are (what was written before reads as before).
  for (const char* same : {"mtime", "md5chksum", "owner_id", "_x", "color2"}) {
    CHECK(azure::meta_name_to_azure(same) == same);
    CHECK(azure::meta_name_to_s3(same) == same);
  }
  CHECK(azure::meta_name_to_azure("s3cmd-attrs") == "s3m_s3cmd_2dattrs");
  CHECK(azure::meta_name_to_azure("2x") == "s3m_2x");
  CHECK(azure::meta_name_to_azure("s3m_x") == "s3m_s3m_5fx");
  CHECK(azure::meta_name_to_azure("a.b~c") == "s3m_a_2eb_7ec");
  CHECK(azure::meta_name_to_azure("") == "s3m_");
  // Every HTTP token a client can send as a name (lowercased by the host) round-trips, as an identifier.
  const std::string tchars = "abcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-.^_`|~";
  std::vector<std::string> names = {"", "s3m_", "s3m", "S3m_x", "s3m__2d", "x_2d", "_", "__", "a-", "-a", "9"};
  for (char a : tchars)
    for (char b : tchars) names.push_back(std::string(1, a) + b + "s3m_" + a);
  for (const std::string& n : names) {
    const std::string az = azure::meta_name_to_azure(n);
    INFO(n << " -> " << az);
    CHECK(is_csharp_identifier(az));
    CHECK(azure::meta_name_to_s3(az) == n);
  }
  // Names under the marker that this encoding never writes are left as they are.
  CHECK(azure::meta_name_to_s3("s3m_a_2") == "s3m_a_2");
  CHECK(azure::meta_name_to_s3("s3m_a_zz") == "s3m_a_zz");
  CHECK(azure::meta_name_to_s3("s3m_a_61") == "s3m_a_61");  // 'a' is written as itself
  CHECK(azure::meta_name_to_s3("s3m_A") == "s3m_A");
}

TEST_CASE("azure s3 view: the dialect sends Azure's names and answers S3's", "[azure][s3_view][dialect]") {
  const Backend b = azurite();
  sigv4::SigningKeyCache keys;
  const BackendCredentials creds = BackendCredentials::azure_shared_key(b.account_key);
  const dialect::Dialect& d = dialect::of(b);

  // Answers: ETag and metadata names in the S3 forms.
  Headers h = {{"etag", "\"0x8DC\""}, {"x-ms-meta-s3m_s3cmd_2dattrs", "md5:1"}, {"x-ms-meta-mtime", "1"}};
  d.answer_headers(h);
  CHECK(h[0].value == "\"0x8DC-azure\"");
  CHECK(h[1].name == "x-amz-meta-s3cmd-attrs");
  CHECK(h[2].name == "x-amz-meta-mtime");

  // Reads (the client's conditions and the edge cache's chunk fetches): the Azure ETag.
  const Headers rh = {{"range", "bytes=0-4"}, {"if-match", "\"0x8DC-azure\""}, {"if-none-match", "\"0x1-azure\", \"0x2-azure\""}};
  const FetchAction r = d.read(b, {false, "k", &rh, nullptr}, &creds, {kNow, keys});
  CHECK(header(r, "if-match") == "\"0x8DC\"");
  CHECK(header(r, "if-none-match") == "\"0x1\", \"0x2\"");

  // Put: metadata names encoded, conditions mapped.
  const Headers ph = {{"x-amz-meta-s3cmd-attrs", "md5:1"}, {"x-amz-meta-mtime", "1"}, {"if-match", "\"0x8DC-azure\""}};
  dialect::ObjectWrite w;
  w.key = "k";
  w.headers = &ph;
  w.body = Body{BodyKind::Handle, {}, 1};
  w.length = 5;
  FetchAction f = d.write(b, w, &creds, {kNow, keys});
  CHECK(header(f, "x-ms-meta-s3m_s3cmd_2dattrs") == "md5:1");
  CHECK(header(f, "x-ms-meta-mtime") == "1");
  CHECK(header(f, "if-match") == "\"0x8DC\"");

  // Put Block List: the Create's metadata and the client's conditions.
  const std::vector<std::string> blocks = {"QQ=="};
  w = {};
  w.key = "k";
  w.step = dialect::WriteStep::CompleteUpload;
  w.blocks = &blocks;
  const Headers ch = {{"x-amz-meta-s3cmd-attrs", "x"}, {"if-none-match", "\"0x1-azure\""}};
  w.headers = &ch;
  f = d.write(b, w, &creds, {kNow, keys});
  CHECK(header(f, "x-ms-meta-s3m_s3cmd_2dattrs") == "x");
  CHECK(header(f, "if-none-match") == "\"0x1\"");

  // Copy Blob: the source conditions and a REPLACE's metadata.
  w = {};
  w.key = "dst";
  w.step = dialect::WriteStep::Copy;
  w.copy_source = &b;
  w.copy_source_key = "src";
  const Headers cp = {{"x-amz-metadata-directive", "REPLACE"}, {"x-amz-meta-a-b", "y"},
                      {"x-amz-copy-source-if-match", "\"0x1-azure\""}, {"x-amz-copy-source-if-none-match", "\"0x2-azure\""},
                      {"x-amz-copy-source-if-modified-since", "Sun, 06 Dec 2026 18:00:00 GMT"}, {"if-match", "\"0x3-azure\""}};
  w.headers = &cp;
  f = d.write(b, w, &creds, {kNow, keys});
  CHECK(header(f, "x-ms-meta-s3m_a_2db") == "y");
  CHECK(header(f, "x-ms-source-if-match") == "\"0x1\"");
  CHECK(header(f, "x-ms-source-if-none-match") == "\"0x2\"");
  CHECK(header(f, "x-ms-source-if-modified-since") == "Sun, 06 Dec 2026 18:00:00 GMT");
  CHECK(header(f, "if-match") == "\"0x3\"");
}

TEST_CASE("azure dialect: versionId=null (S3's null version) is the base blob: no versionid sent", "[azure][dialect]") {
  const Backend b = azurite();
  sigv4::SigningKeyCache keys;
  const BackendCredentials creds = BackendCredentials::azure_shared_key(b.account_key);
  const dialect::Dialect& d = dialect::of(b);
  const std::vector<http::QueryParam> null_version = {{"versionId", "null", true}};
  const std::vector<http::QueryParam> a_version = {{"versionId", "2026-01-01T00:00:00.0000000Z", true}};
  CHECK(d.read(b, {true, "k", nullptr, &null_version}, &creds, {kNow, keys}).url == "http://127.0.0.1:10000/devstoreaccount1/parity/k");
  CHECK(d.read(b, {true, "k", nullptr, &a_version}, &creds, {kNow, keys}).url.find("versionid=2026") != std::string::npos);
  dialect::ObjectWrite w;
  w.key = "k";
  w.step = dialect::WriteStep::Delete;
  w.query = &null_version;
  CHECK(d.write(b, w, &creds, {kNow, keys}).url == "http://127.0.0.1:10000/devstoreaccount1/parity/k");
  w = {};
  w.key = "dst";
  w.step = dialect::WriteStep::Copy;
  w.copy_source = &b;
  w.copy_source_key = "src";
  w.copy_source_version = "null";
  CHECK(header(d.write(b, w, &creds, {kNow, keys}), "x-ms-copy-source") == "http://127.0.0.1:10000/devstoreaccount1/parity/src");
}
