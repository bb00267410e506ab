// DeleteObjects on a backend without batch deletes (Azure, issue 17): one Delete Blob per key, sent as FetchBatch
// actions of at most 16 concurrent deletes (ops/delete_objects.cpp kDeleteWindow), window after window; each
// key's answer — deleted, missing (also deleted), refused, unavailable, timed out — becomes its own <Deleted> or
// <Error> in request order, Quiet drops the <Deleted>, and the per-key scope check still answers forbidden keys
// locally. The FetchBatch wire form round-trips through the codec (host_shim/README.md).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "host_shim/codec.h"
#include "host_shim/wire.h"
#include "tests/unit/engine_fixture.h"
#include "worker/crypto/sha256.h"
#include "worker/sign/sigv4.h"

using namespace s3p;

namespace {

const char* const kDevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
constexpr size_t kWindow = 16;

// Repository "az" on Azurite (Shared Key), "s3" on an S3 backend, "ro" on Azure but read-only for the key.
std::string config() {
  return R"({
    "backends": {
      "azb": {"dialect": "azure", "endpoint": "http://127.0.0.1:10000/devstoreaccount1", "account": "devstoreaccount1",
              "container": "cont", "auth": {"type": "shared_key", "account_key_secret": "AZ_KEY"}},
      "main": {"endpoint": "http://127.0.0.1:9000", "bucket": "backend-bucket"}},
    "access_keys": {"AKIDTEST": {"secret_access_key_secret": "KEY_SECRET", "scopes": [
      {"account": "acct", "repository": "az", "actions": ["read", "write", "delete"]},
      {"account": "acct", "repository": "s3", "actions": ["read", "write", "delete"]},
      {"account": "acct", "repository": "ro", "actions": ["read"]}]}},
    "accounts": {"acct": {"repositories": {
      "az": {"backend": "azb", "prefix": "p/", "cache": {"enabled": false}},
      "s3": {"backend": "main", "prefix": "ps/", "cache": {"enabled": false}},
      "ro": {"backend": "azb", "prefix": "r/", "cache": {"enabled": false}}}}}
  })";
}

struct DeleteHost {
  Engine engine;
  sigv4::SigningKeyCache keys;
  DeleteHost() {
    engine.init(config(), {{"KEY_SECRET", "test-secret"}, {"AZ_KEY", kDevKey}}, enginetest::kSeed);
    INFO(engine.config_error());
    REQUIRE(engine.configured());
  }
  // A DeleteObjects signed by AKIDTEST over `body`; the body is read when the core asks.
  uint32_t begin(const std::string& body) {
    const std::string hash = crypto::hex(crypto::sha256(body));
    std::vector<sigv4::Header> h{{"host", "proxy.test"}, {"x-amz-content-sha256", hash}};
    sigv4::sign_request("POST", "/acct", "delete=", h, hash, {"AKIDTEST", "test-secret", ""}, "us-east-1", "s3", 0, keys);
    RequestHead head;
    head.method = "POST";
    head.path = "/acct";
    head.query = "delete=";
    for (auto& x : h) head.headers.push_back({x.name, x.value});
    head.has_body = true;
    head.random = 9;
    const uint32_t id = engine.begin(std::move(head), 0);
    Action a = engine.next(id, 0);
    REQUIRE(a.kind == ActionKind::ReadBody);
    Result r;
    r.kind = ActionKind::ReadBody;
    r.flag = true;
    r.data = body;
    engine.feed(id, std::move(r), 0);
    return id;
  }
};

std::string delete_doc(const std::vector<std::string>& keys, bool quiet = false) {
  std::string d = "<Delete>";
  if (quiet) d += "<Quiet>true</Quiet>";
  for (const auto& k : keys) d += "<Object><Key>" + k + "</Key></Object>";
  return d + "</Delete>";
}

// Key i's scripted Azure answer, by i % 6: deleted (202), missing (404 BlobNotFound: deleted as well), refused
// (403), unavailable (503 ServerBusy), timed out (no answer), the container missing (404 ContainerNotFound).
FetchResult answer_for(size_t i) {
  FetchResult f;
  switch (i % 6) {
    case 0: f.status = 202; break;
    case 1: f.status = 404; f.headers = {{"x-ms-error-code", "BlobNotFound"}}; break;
    case 2: f.status = 403; f.headers = {{"x-ms-error-code", "AuthorizationPermissionMismatch"}}; break;
    case 3: f.status = 503; f.headers = {{"x-ms-error-code", "ServerBusy"}}; break;
    case 4: f.outcome = FetchOutcome::Timeout; f.error = "timeout after 30000 ms"; break;
    case 5: f.status = 404; f.headers = {{"x-ms-error-code", "ContainerNotFound"}}; break;
  }
  return f;
}

// The <Deleted>/<Error> entries of a DeleteResult as "D key" / "E key code", in document order.
std::vector<std::string> entries(const std::string& doc) {
  std::vector<std::string> out;
  for (size_t at = 0;;) {
    const size_t d = doc.find("<Deleted>", at), e = doc.find("<Error>", at);
    if (d == std::string::npos && e == std::string::npos) break;
    const bool deleted = d < e;
    at = deleted ? d : e;
    const std::string rest = doc.substr(at, doc.find(deleted ? "</Deleted>" : "</Error>", at) - at);
    std::string s = (deleted ? "D " : "E ") + enginetest::element(rest, "Key");
    if (!deleted) s += " " + enginetest::element(rest, "Code");
    out.push_back(s);
    at += rest.size();
  }
  return out;
}

// Answers every FetchBatch window of `id` with answer_for(key number), checking each window; returns the windows'
// sizes and the final answer.
Action run_windows(DeleteHost& host, uint32_t id, std::vector<size_t>& sizes, size_t first_key = 0) {
  size_t next_key = first_key;
  for (;;) {
    Action a = host.engine.next(id, 0);
    if (a.kind != ActionKind::FetchBatch) return a;
    sizes.push_back(a.batch.size());
    Result r;
    r.kind = ActionKind::FetchBatch;
    for (const FetchAction& f : a.batch) {
      CHECK(f.method == "DELETE");
      CHECK(f.url == "http://127.0.0.1:10000/devstoreaccount1/cont/p/k" + std::to_string(next_key));
      CHECK(f.mode == ResponseMode::Buffer);
      CHECK(f.body.kind == BodyKind::None);
      CHECK(find_header(f.headers, "authorization") != nullptr);
      r.batch.push_back(answer_for(next_key++));
    }
    host.engine.feed(id, std::move(r), 0);
  }
}

std::vector<std::string> keys_az(size_t n) {
  std::vector<std::string> k;
  for (size_t i = 0; i < n; ++i) k.push_back("az/k" + std::to_string(i));
  return k;
}

std::vector<std::string> expected_az(size_t n, bool quiet) {
  // 403 on Shared Key: a refused credential, the proxy's configuration fault (502), as DeleteObject answers it.
  static const char* const kOutcome[] = {nullptr, nullptr, "BadGateway", "ServiceUnavailable", "ServiceUnavailable", "BadGateway"};
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) {
    const char* code = kOutcome[i % 6];
    if (!code && quiet) continue;
    out.push_back(code ? "E az/k" + std::to_string(i) + " " + code : "D az/k" + std::to_string(i));
  }
  return out;
}

}  // namespace

TEST_CASE("DeleteObjects on Azure: 40 keys in windows of at most 16 concurrent deletes, results in order", "[azure][delete_objects]") {
  DeleteHost host;
  const uint32_t id = host.begin(delete_doc(keys_az(40)));
  std::vector<size_t> sizes;
  const Action a = run_windows(host, id, sizes);
  CHECK(sizes == std::vector<size_t>{kWindow, kWindow, 8});
  REQUIRE(a.kind == ActionKind::Respond);
  CHECK(a.respond.status == 200);
  CHECK(entries(a.respond.body.bytes) == expected_az(40, false));
  CHECK(a.respond.log_line.find("\"rounds\":3") != std::string::npos);
  CHECK(host.engine.next(id, 0).kind == ActionKind::Done);
  host.engine.release(id);
  CHECK(host.engine.in_flight() == 0);
}

TEST_CASE("DeleteObjects on Azure: Quiet reports only the errors, in order", "[azure][delete_objects]") {
  DeleteHost host;
  const uint32_t id = host.begin(delete_doc(keys_az(40), true));
  std::vector<size_t> sizes;
  const Action a = run_windows(host, id, sizes);
  REQUIRE(a.kind == ActionKind::Respond);
  CHECK(entries(a.respond.body.bytes) == expected_az(40, true));
  CHECK(a.respond.body.bytes.find("<Deleted>") == std::string::npos);
  host.engine.release(id);
}

TEST_CASE("DeleteObjects on Azure: 1000 keys take 63 windows (past the default round bound), forbidden keys first",
          "[azure][delete_objects]") {
  DeleteHost host;
  std::vector<std::string> keys = {"ro/x", "nope/y"};
  for (const auto& k : keys_az(998)) keys.push_back(k);
  const uint32_t id = host.begin(delete_doc(keys));
  std::vector<size_t> sizes;
  const Action a = run_windows(host, id, sizes);
  CHECK(sizes.size() == 63);
  for (size_t s : sizes) CHECK(s <= kWindow);
  REQUIRE(a.kind == ActionKind::Respond);
  std::vector<std::string> want = {"E ro/x AccessDenied", "E nope/y AccessDenied"};
  for (const auto& e : expected_az(998, false)) want.push_back(e);
  CHECK(entries(a.respond.body.bytes) == want);
  host.engine.release(id);
  CHECK(host.engine.in_flight() == 0);
}

TEST_CASE("DeleteObjects on Azure and S3 together: the S3 repository's batch, then the Azure windows", "[azure][delete_objects]") {
  DeleteHost host;
  std::vector<std::string> keys = {"s3/a"};
  for (const auto& k : keys_az(20)) keys.push_back(k);
  const uint32_t id = host.begin(delete_doc(keys));
  // The groups go in the order their first key came: S3 first, one DeleteObjects.
  Action a = host.engine.next(id, 0);
  REQUIRE(a.kind == ActionKind::Fetch);
  CHECK(a.fetch.url == "http://127.0.0.1:9000/backend-bucket/?delete=");
  Result r;
  r.kind = ActionKind::Fetch;
  r.fetch.status = 200;
  r.fetch.body = "<DeleteResult><Deleted><Key>ps/a</Key></Deleted></DeleteResult>";
  host.engine.feed(id, std::move(r), 0);
  std::vector<size_t> sizes;
  a = run_windows(host, id, sizes);
  CHECK(sizes == std::vector<size_t>{16, 4});
  REQUIRE(a.kind == ActionKind::Respond);
  std::vector<std::string> want = {"D s3/a"};
  for (const auto& e : expected_az(20, false)) want.push_back(e);
  CHECK(entries(a.respond.body.bytes) == want);
  host.engine.release(id);
}

TEST_CASE("DeleteObjects on Azure: a FetchBatch result of the wrong size or kind is the host's fault (500)", "[azure][delete_objects]") {
  for (int wrong : {0, 1, 2}) {
    DeleteHost host;
    const uint32_t id = host.begin(delete_doc(keys_az(3)));
    Action a = host.engine.next(id, 0);
    REQUIRE(a.kind == ActionKind::FetchBatch);
    REQUIRE(a.batch.size() == 3);
    Result r;
    r.kind = wrong == 2 ? ActionKind::Fetch : ActionKind::FetchBatch;
    r.batch.resize(wrong == 0 ? 2 : 4);
    host.engine.feed(id, std::move(r), 0);
    a = host.engine.next(id, 0);
    REQUIRE(a.kind == ActionKind::Respond);
    CHECK(a.respond.status == 500);
    host.engine.release(id);
    CHECK(host.engine.in_flight() == 0);
  }
}

TEST_CASE("FetchBatch on the wire: the action's fetches and the result's entries, in order", "[azure][delete_objects][codec]") {
  Action a;
  a.kind = ActionKind::FetchBatch;
  for (int i = 0; i < 3; ++i) {
    FetchAction f;
    f.method = "DELETE";
    f.url = "http://h/c/k" + std::to_string(i);
    f.headers = {{"x-ms-date", "d"}};
    f.timeout_ms = 1000 + i;
    f.mode = ResponseMode::Buffer;
    a.batch.push_back(f);
  }
  std::string out;
  codec::encode_action(a, out);
  // u32 n, then each fetch as a Fetch action's fields.
  std::string one;
  codec::encode_action([&] { Action x; x.kind = ActionKind::Fetch; x.fetch = a.batch[0]; return x; }(), one);
  REQUIRE(out.size() > 4 + one.size());
  CHECK(out.substr(0, 4) == std::string("\x03\0\0\0", 4));
  CHECK(out.substr(4, one.size()) == one);

  // u32 20, u32 n, n × (outcome, status, headers, handle, body, error, elapsed_us).
  std::string in;
  {
    wire::Writer w(in);
    w.u32(20);
    w.u32(2);
    w.u32(0); w.u32(202); w.u32(1); w.str("x-ms-request-id"); w.str("r1"); w.u32(0); w.str(""); w.str(""); w.u32(1500);
    w.u32(1); w.u32(0); w.u32(0); w.u32(0); w.str(""); w.str("timeout after 1000 ms"); w.u32(1000000);
  }
  Result r;
  REQUIRE(codec::decode_result(reinterpret_cast<const uint8_t*>(in.data()), in.size(), r));
  CHECK(r.kind == ActionKind::FetchBatch);
  REQUIRE(r.batch.size() == 2);
  CHECK(r.batch[0].status == 202);
  CHECK(r.batch[0].headers.size() == 1);
  CHECK(r.batch[0].elapsed_ms == 1.5);
  CHECK(r.batch[1].outcome == FetchOutcome::Timeout);
  CHECK(r.batch[1].error == "timeout after 1000 ms");
  // Truncated, an unknown outcome, or more entries than a batch may hold: refused.
  Result bad;
  CHECK_FALSE(codec::decode_result(reinterpret_cast<const uint8_t*>(in.data()), in.size() - 1, bad));
  std::string big;
  {
    wire::Writer w(big);
    w.u32(20);
    w.u32(kMaxFetchBatch + 1);
  }
  CHECK_FALSE(codec::decode_result(reinterpret_cast<const uint8_t*>(big.data()), big.size(), bad));
  std::string odd = in;
  odd[8] = 9;  // the first entry's outcome
  CHECK_FALSE(codec::decode_result(reinterpret_cast<const uint8_t*>(odd.data()), odd.size(), bad));
}
