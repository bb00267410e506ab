// Azure Shared Key for the Blob service (worker/sign/azure_shared_key.h).
//
// Expected values: computed by tests/azurite/shared_key.mjs, a separate JavaScript signer written from the spec
// ("Authorize with Shared Key", learn.microsoft.com) with node:crypto, whose requests Azurite 3.35 accepts (the
// seed writes every fixture blob through it). `node tests/azurite/gen_vectors.mjs` prints them again. The key is
// Azurite's published development key for devstoreaccount1. tests/azurite/shared_key.test.mjs proves the
// C++ signer itself against a live Azurite.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "worker/http/headers.h"
#include "worker/http/uri.h"
#include "worker/sign/azure_shared_key.h"

namespace azure = s3p::azure;
using s3p::Headers;
using s3p::http::QueryParam;

namespace {

const char* const kDevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const char* const kDate = "Sun, 06 Dec 2026 18:00:00 GMT";

std::string key() {
  std::string k;
  REQUIRE(azure::decode_account_key(kDevKey, k));
  return k;
}

std::vector<QueryParam> query(std::initializer_list<std::pair<const char*, const char*>> kv) {
  std::vector<QueryParam> out;
  for (auto& [n, v] : kv) out.push_back({n, v, true});
  return out;
}

struct Vector {
  azure::SharedKeyRequest req;
  const char* string_to_sign;
  const char* authorization;
};

void check(const Vector& v) {
  CHECK(azure::string_to_sign(v.req) == v.string_to_sign);
  std::string auth;
  REQUIRE(azure::authorization(v.req, key(), auth));
  CHECK(auth == v.authorization);
}

}  // namespace

TEST_CASE("Shared Key: Get Blob with a range and a condition, unicode path (emulator path style)", "[azure][shared_key]") {
  const Headers h = {{"x-ms-date", kDate}, {"x-ms-version", "2021-08-06"}, {"x-ms-range", "bytes=0-3"},
                     {"If-None-Match", "\"0x8DB\""}};
  check({{"GET", "devstoreaccount1",
          "/devstoreaccount1/seed/data/%C3%BCn%C3%AFc%C3%B6d%C3%A9/%E6%97%A5%E6%9C%AC%E8%AA%9E.txt", nullptr, &h},
         "GET\n\n\n\n\n\n\n\n\n\"0x8DB\"\n\n\nx-ms-date:Sun, 06 Dec 2026 18:00:00 GMT\nx-ms-range:bytes=0-3\n"
         "x-ms-version:2021-08-06\n/devstoreaccount1/devstoreaccount1/seed/data/%C3%BCn%C3%AFc%C3%B6d%C3%A9/"
         "%E6%97%A5%E6%9C%AC%E8%AA%9E.txt",
         "SharedKey devstoreaccount1:PnG25iLi+cyx6+CKoic9F/Vp5HSFcoB8u5PyQKiv8Qw="});
}

TEST_CASE("Shared Key: Put Blob signs the standard headers in place and x-ms-* sorted, names lowercased, values trimmed",
          "[azure][shared_key]") {
  const Headers h = {{"Content-Type", "text/plain"}, {"Content-Length", "11"},
                     {"Content-MD5", "XrY7u+Ae7tCTyyK7j1rNww=="}, {"x-ms-blob-type", "BlockBlob"},
                     {"x-ms-meta-Project", " edge "}, {"x-ms-date", kDate}, {"x-ms-version", "2021-08-06"}};
  check({{"PUT", "myaccount", "/container/with%20space/plus%2Bsign.txt", nullptr, &h},
         "PUT\n\n\n11\nXrY7u+Ae7tCTyyK7j1rNww==\ntext/plain\n\n\n\n\n\n\nx-ms-blob-type:BlockBlob\n"
         "x-ms-date:Sun, 06 Dec 2026 18:00:00 GMT\nx-ms-meta-project:edge\nx-ms-version:2021-08-06\n"
         "/myaccount/container/with%20space/plus%2Bsign.txt",
         "SharedKey myaccount:pChzkSpAxVjDqf7NTcQcL/362ScOnatq3Dukz6PwrsM="});
}

TEST_CASE("Shared Key: List Blobs puts the decoded query parameters in the resource, sorted by name",
          "[azure][shared_key]") {
  const Headers h = {{"x-ms-date", kDate}, {"x-ms-version", "2021-08-06"}};
  const auto q = query({{"restype", "container"}, {"comp", "list"}, {"prefix", "data/with space+\xC3\xBC/"},
                        {"delimiter", "/"}, {"marker", "data/hello.txt"}, {"maxresults", "3"}});
  check({{"GET", "devstoreaccount1", "/devstoreaccount1/seed", &q, &h},
         "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Sun, 06 Dec 2026 18:00:00 GMT\nx-ms-version:2021-08-06\n"
         "/devstoreaccount1/devstoreaccount1/seed\ncomp:list\ndelimiter:/\nmarker:data/hello.txt\nmaxresults:3\n"
         "prefix:data/with space+\xC3\xBC/\nrestype:container",
         "SharedKey devstoreaccount1:EI31Hfs8MBw/lIFeu3ptE19K8V6MaLe9+yDz3OWU7Tk="});
}

TEST_CASE("Shared Key: a Content-Length of 0 is an empty line (version 2015-02-21 and later)", "[azure][shared_key]") {
  const Headers h = {{"x-ms-date", kDate}, {"x-ms-version", "2021-08-06"}, {"content-length", "0"},
                     {"x-ms-blob-type", "BlockBlob"}};
  check({{"PUT", "myaccount", "/container/empty", nullptr, &h},
         "PUT\n\n\n\n\n\n\n\n\n\n\n\nx-ms-blob-type:BlockBlob\nx-ms-date:Sun, 06 Dec 2026 18:00:00 GMT\n"
         "x-ms-version:2021-08-06\n/myaccount/container/empty",
         "SharedKey myaccount:bzIdJe1HdAF2CB1TgFF7qnt7EtQ/q2tD6UnQCP07kmA="});
}

TEST_CASE("Shared Key: repeated query names sort their values; a repeated x-ms header keeps its order",
          "[azure][shared_key]") {
  const Headers h = {{"x-ms-version", "2021-08-06"}, {"X-MS-Date", kDate}, {"x-ms-client-request-id", "b"},
                     {"x-ms-client-request-id", "a"}};
  const auto q = query({{"comp", "list"}, {"Include", "snapshots"}, {"include", "metadata"}});
  check({{"GET", "myaccount", "/", &q, &h},
         "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-client-request-id:b,a\nx-ms-date:Sun, 06 Dec 2026 18:00:00 GMT\n"
         "x-ms-version:2021-08-06\n/myaccount/\ncomp:list\ninclude:metadata,snapshots",
         "SharedKey myaccount:zQrAi00+TSN2UV6akVyhomf1ClCb4LIW8s90KMIaSDM="});
}

TEST_CASE("Shared Key: an empty path is the service root", "[azure][shared_key]") {
  CHECK(azure::canonicalized_resource("acct", "", nullptr) == "/acct/");
}

TEST_CASE("Shared Key: a line break anywhere in what is signed is refused, not signed", "[azure][shared_key]") {
  const std::string k = key();
  std::string out = "stale";
  const Headers bad_header = {{"x-ms-date", kDate}, {"x-ms-meta-a", "x\r\nx-ms-version:2099-01-01"}};
  CHECK_FALSE(azure::authorization({"GET", "acct", "/c/b", nullptr, &bad_header}, k, out));
  CHECK(out.empty());
  const Headers ok = {{"x-ms-date", kDate}};
  CHECK_FALSE(azure::authorization({"GET", "acct", "/c/b\n", nullptr, &ok}, k, out));
  const auto q = query({{"prefix", "a\nb"}});
  CHECK_FALSE(azure::authorization({"GET", "acct", "/c", &q, &ok}, k, out));
  CHECK(azure::authorization({"GET", "acct", "/c/b", nullptr, &ok}, k, out));
  CHECK(out.rfind("SharedKey acct:", 0) == 0);
}

TEST_CASE("Shared Key: the account key must be strict base64", "[azure][shared_key]") {
  std::string k;
  CHECK(azure::decode_account_key(kDevKey, k));
  CHECK(k.size() == 64);
  CHECK_FALSE(azure::decode_account_key("not base64!", k));
  CHECK_FALSE(azure::decode_account_key("", k));
  CHECK_FALSE(azure::decode_account_key(" Eby8", k));
}

TEST_CASE("Shared Key: a different key, or one byte more in what is signed, changes the signature", "[azure][shared_key]") {
  const Headers h = {{"x-ms-date", kDate}, {"x-ms-version", "2021-08-06"}};
  const std::string sts = azure::string_to_sign({"GET", "acct", "/c/b", nullptr, &h});
  const std::string k = key();
  CHECK(azure::signature(k, sts) != azure::signature(k + "x", sts));
  CHECK(azure::signature(k, sts) != azure::signature(k, sts + " "));
  CHECK(azure::signature(k, sts).size() == 44);  // base64 of 32 bytes
}
