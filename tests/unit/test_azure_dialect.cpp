// The Azure Blob dialect's requests (worker/dialect/azure_dialect.h): what is sent is what is signed, paths are
// percent-encoded per segment, ranges and conditions map, what Azure cannot honour is refused; its answers' headers
// and errors as S3 names them; the config that makes one.
//
// Expected signatures: computed by tests/azurite/shared_key.mjs (the independent node:crypto signer Azurite
// accepts) for the same request, e.g.
//   sign({method: "GET", account: "devstoreaccount1", path: "/devstoreaccount1/parity/t/with%20space/%C3%BC%2B%25.txt",
//         query: [], headers: [["range", "bytes=0-4"], ["if-match", '"0x1"'], ["x-ms-date", date],
//         ["x-ms-version", "2021-08-06"]]})   with date = new Date(1796580000 * 1000).toUTCString()
#include <catch2/catch.hpp>

#include <string>

#include "worker/config/config.h"
#include "worker/dialect/azure_dialect.h"
#include "worker/dialect/s3_dialect.h"
#include "worker/ops/get_object.h"
#include "worker/sign/azure_shared_key.h"

using namespace s3p;

namespace {

const char* const kDevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
constexpr int64_t kNow = 1796580000;  // Sun, 06 Dec 2026 18:00:00 GMT

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

}  // namespace

TEST_CASE("azure dialect: a ranged, conditional Get Blob is sent as signed (path encoded per segment)",
          "[azure][dialect]") {
  const Backend b = azurite();
  sigv4::SigningKeyCache keys;
  const BackendCredentials creds = BackendCredentials::azure_shared_key(b.account_key);
  const Headers forwarded = {{"range", "bytes=0-4"}, {"if-match", "\"0x1\""}, {"x-amz-checksum-mode", "ENABLED"}};
  const FetchAction f = dialect::of(b).read(b, {false, "t/with space/ü+%.txt", &forwarded, nullptr}, &creds, {kNow, keys});
  CHECK(f.method == "GET");
  CHECK(f.url == "http://127.0.0.1:10000/devstoreaccount1/parity/t/with%20space/%C3%BC%2B%25.txt");
  CHECK(header(f, "x-ms-date") == "Sun, 06 Dec 2026 18:00:00 GMT");
  CHECK(header(f, "x-ms-version") == "2021-08-06");
  CHECK(header(f, "range") == "bytes=0-4");
  CHECK(header(f, "if-match") == "\"0x1\"");
  CHECK(header(f, "x-amz-checksum-mode") == "<absent>");  // Azure has no S3 checksums to send
  CHECK(header(f, "authorization") == "SharedKey devstoreaccount1:h959E5DJsuIrXIC2ToFvvDl/HrNO5Ae/0cTP1aGAwIs=");
  CHECK(f.headers.size() == 5);  // nothing sent that was not signed
}

TEST_CASE("azure dialect: List Blobs carries prefix, delimiter, maxresults and the marker; signed", "[azure][dialect]") {
  const Backend b = azurite();
  sigv4::SigningKeyCache keys;
  const BackendCredentials creds = BackendCredentials::azure_shared_key(b.account_key);
  dialect::ListCall call;
  call.prefix = "t/a b/";
  call.delimiter = "/";
  call.max_keys = 2;
  call.token = "2!a b";
  call.start_after = "t/ignored";  // List Blobs has no start-after: the renderer drops instead
  const FetchAction f = dialect::of(b).list(b, call, &creds, {kNow, keys});
  CHECK(f.url == "http://127.0.0.1:10000/devstoreaccount1/parity?comp=list&delimiter=%2F&marker=2%21a%20b&maxresults=2"
                 "&prefix=t%2Fa%20b%2F&restype=container");
  CHECK(header(f, "authorization") == "SharedKey devstoreaccount1:D3DY8V4W4ZLpkzRhsqKlnekkbtlbOOPPTG6ZtPksnkU=");
  CHECK(f.mode == ResponseMode::Buffer);
}

TEST_CASE("azure dialect: no suffix range, no part numbers or SSE-C; versionId is versionid; anonymous is unsigned",
          "[azure][dialect]") {
  const Backend b = azurite();
  sigv4::SigningKeyCache keys;
  const dialect::Dialect& d = dialect::of(b);
  CHECK_FALSE(d.capabilities().suffix_range);
  CHECK(d.capabilities().writes);
  CHECK(d.capabilities().proxy_uploads);
  CHECK_FALSE(d.capabilities().batch_delete);
  const Headers suffix = {{"range", "bytes=-5"}};
  CHECK(d.read(b, {false, "k", &suffix, nullptr}, nullptr, {kNow, keys}).url.empty());
  CHECK(d.read(b, {false, "", nullptr, nullptr}, nullptr, {kNow, keys}).url.empty());  // the container is no blob
  CHECK(d.unsupported_read({}, {{"partNumber", "1", true}}) != "");
  CHECK(d.unsupported_read({{"x-amz-server-side-encryption-customer-key", "k"}}, {}) != "");
  CHECK(d.unsupported_read({{"x-amz-checksum-mode", "ENABLED"}, {"range", "bytes=1-2"}}, {}) == "");
  const std::vector<http::QueryParam> version = {{"versionId", "2026-12-06T18:00:00.0000000Z", true}};
  const FetchAction f = d.read(b, {true, "k", nullptr, &version}, nullptr, {kNow, keys});
  CHECK(f.method == "HEAD");
  CHECK(f.url == "http://127.0.0.1:10000/devstoreaccount1/parity/k?versionid=2026-12-06T18%3A00%3A00.0000000Z");
  CHECK(header(f, "authorization") == "<absent>");
  // Credentials of another kind are never used to sign: the request is refused as built.
  const sigv4::Credentials s3keys{"AKID", "SECRET", ""};
  const BackendCredentials wrong = BackendCredentials::keys(s3keys);
  CHECK(d.read(b, {false, "k", nullptr, nullptr}, &wrong, {kNow, keys}).url.empty());
  CHECK(dialect::of(Backend{}).name() == "s3");
}

TEST_CASE("azure dialect: Get Container Properties for HeadBucket", "[azure][dialect]") {
  const Backend b = azurite();
  sigv4::SigningKeyCache keys;
  const FetchAction f = dialect::of(b).probe_bucket(b, nullptr, {kNow, keys});
  CHECK(f.method == "HEAD");
  CHECK(f.url == "http://127.0.0.1:10000/devstoreaccount1/parity?restype=container");
}

TEST_CASE("azure dialect: answers in S3's names; the error code from x-ms-error-code, else the body",
          "[azure][dialect]") {
  const dialect::Dialect& d = dialect::azure();
  Headers h = {{"x-ms-meta-color", "blue"}, {"x-ms-access-tier", "Cool"}, {"etag", "\"0x8D\""}, {"x-ms-blob-type", "BlockBlob"}};
  d.answer_headers(h);
  CHECK(h[0].name == "x-amz-meta-color");
  CHECK(h[0].value == "blue");
  CHECK(h[1].name == "x-amz-storage-class");
  CHECK(h[1].value == "STANDARD_IA");
  CHECK(h[2].name == "etag");
  FetchResult head;  // HEAD: no body, the code in a header
  head.status = 404;
  head.headers = {{"x-ms-error-code", "BlobNotFound"}};
  CHECK(d.classify(head).error == BackendError::NoSuchKey);
  FetchResult get;
  get.status = 404;
  get.body = "<?xml version=\"1.0\"?><Error><Code>ContainerNotFound</Code><Message>m</Message></Error>";
  CHECK(d.classify(get).error == BackendError::NoSuchContainer);
  CHECK(d.classify(get).code == "ContainerNotFound");
  FetchResult refused;
  refused.status = 403;
  refused.headers = {{"x-ms-error-code", "AuthorizationFailure"}};
  CHECK(d.classify(refused).error == BackendError::CredentialsRefused);
}

namespace {
std::string load(const std::string& backend, const s3p::Env& env = {{"AZ_KEY", kDevKey}}) {
  const std::string json = R"({"backends": {"az": )" + backend + R"(},
    "accounts": {"acct": {"repositories": {"r": {"backend": "az", "prefix": "p/", "public": true}}}}})";
  Config cfg;
  std::string error;
  if (!load_config(json, env, cfg, error)) return "<refused: " + error + ">";
  const Backend& b = *cfg.backends.at("az");
  return b.scheme + "://" + b.authority + "|" + b.base_path + "|" + b.account + "|" + b.bucket + "|" +
         (b.auth == BackendAuth::SharedKey ? "shared_key" : "anonymous");
}
}  // namespace

TEST_CASE("config: an azure backend (account, container, endpoint path, key in a Worker secret); errors name the field",
          "[azure][config]") {
  CHECK(load(R"({"dialect": "azure", "endpoint": "http://127.0.0.1:10000/devstoreaccount1/", "account": "devstoreaccount1",
                 "container": "parity", "auth": {"type": "shared_key", "account_key_secret": "AZ_KEY"}})") ==
        "http://127.0.0.1:10000|/devstoreaccount1|devstoreaccount1|parity|shared_key");
  CHECK(load(R"({"dialect": "azure", "endpoint": "https://acct1.blob.core.windows.net", "account": "acct1",
                 "container": "open-data"})") == "https://acct1.blob.core.windows.net||acct1|open-data|anonymous");
  CHECK(load(R"({"dialect": "swift", "endpoint": "https://x", "bucket": "b"})") ==
        "<refused: backends.az.dialect: must be \"s3\", \"azure\" or \"gcs\">");
  CHECK(load(R"({"dialect": "azure", "endpoint": "https://a.blob.core.windows.net", "account": "acct1", "bucket": "b"})") ==
        "<refused: backends.az.bucket: an azure backend names a \"container\">");
  CHECK(load(R"({"dialect": "azure", "endpoint": "https://a.blob.core.windows.net", "account": "Acct1", "container": "abc"})") ==
        "<refused: backends.az.account: must be 3-24 of a-z 0-9>");
  CHECK(load(R"({"dialect": "azure", "endpoint": "https://a.blob.core.windows.net", "account": "acct1", "container": "a--b"})") ==
        "<refused: backends.az.container: must be an Azure container name>");
  CHECK(load(R"({"dialect": "azure", "endpoint": "https://a.blob.core.windows.net", "account": "acct1", "container": "abc",
                 "auth": {"type": "static"}})") ==
        "<refused: backends.az.auth.type: must be \"anonymous\", \"shared_key\", \"sas\" or "
            "\"entra_workload_identity\" on an azure backend>");
  const std::string keyed = R"({"dialect": "azure", "endpoint": "https://a.blob.core.windows.net", "account": "acct1",
                                "container": "abc", "auth": {"type": "shared_key", "account_key_secret": "AZ_KEY"}})";
  CHECK(load(keyed, {}) == "<refused: backends.az.auth.account_key_secret: Worker secret \"AZ_KEY\" is not set>");
  const std::string bad = load(keyed, {{"AZ_KEY", "not base64!"}});
  CHECK(bad == "<refused: backends.az.auth.account_key_secret: Worker secret \"AZ_KEY\" is not a base64 account key>");
  CHECK(bad.find("not base64!") == std::string::npos);  // the value is never in the error
}

TEST_CASE("GetObject with a suffix range on Azure: the size first (with the client's conditions), then bytes=a-b "
          "If-Match the measured ETag", "[azure][dialect]") {
  const Backend b = azurite();
  sigv4::SigningKeyCache keys;
  const BackendCredentials creds = BackendCredentials::azure_shared_key(b.account_key);
  ObjectOp op(b, "GET", "t/hello.txt", {}, {{"range", "bytes=-5"}, {"if-none-match", "\"0xOLD\""}}, {});
  FetchAction probe = op.request(&creds, kNow, keys);
  CHECK(probe.method == "HEAD");
  CHECK(header(probe, "range") == "<absent>");
  CHECK(header(probe, "if-none-match") == "\"0xOLD\"");
  FetchResult measured;
  measured.status = 200;
  measured.headers = {{"content-length", "14"}, {"etag", "\"0x8D1\""}};
  CHECK(op.on_response(std::move(measured)).kind == OpStep::Kind::Again);
  FetchAction get = op.request(&creds, kNow, keys);
  CHECK(get.method == "GET");
  CHECK(header(get, "range") == "bytes=9-13");
  CHECK(header(get, "if-match") == "\"0x8D1\"");
  CHECK(header(get, "if-none-match") == "<absent>");  // judged on the probe
  // A suffix of nothing is unsatisfiable, as S3 answers it.
  ObjectOp zero(b, "GET", "t/hello.txt", {}, {{"range", "bytes=-0"}}, {});
  (void)zero.request(&creds, kNow, keys);
  FetchResult any;
  any.status = 200;
  any.headers = {{"content-length", "14"}, {"etag", "\"0x8D1\""}};
  const OpStep refused = zero.on_response(std::move(any));
  REQUIRE(refused.kind == OpStep::Kind::Error);
  CHECK(refused.failure.error->status == 416);
  // S3 takes suffix ranges as they are: one request.
  Backend s3b;
  s3b.scheme = "http";
  s3b.authority = "127.0.0.1:9000";
  s3b.bucket = "bkt";
  ObjectOp s3op(s3b, "GET", "k", {}, {{"range", "bytes=-5"}}, {});
  const FetchAction direct = s3op.request(nullptr, kNow, keys);
  CHECK(direct.method == "GET");
  CHECK(header(direct, "range") == "bytes=-5");
}
