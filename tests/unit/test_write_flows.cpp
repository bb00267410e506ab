// Whole write requests through the Engine with scripted backend answers (the shared fake host, engine_fixture.h),
// under ASan/UBSan too: the phase machine's ReadBody → plan again → backend rounds path, per-key authorization
// in DeleteObjects, and what reaches the backend.
#include <catch2/catch.hpp>

#include "tests/unit/engine_fixture.h"
#include "worker/crypto/sha256.h"
#include "worker/ops/client_body.h"
#include "worker/ops/single_request_op.h"
#include "worker/sign/sigv4.h"

using namespace s3p;

namespace {

// Repositories a, b (writable by the key), ro (read-only); the key may delete in a and b only.
std::string write_config() {
  return R"({
    "backends": {"main": {"endpoint": "http://127.0.0.1:9000", "bucket": "backend-bucket"}},
    "access_keys": {"AKIDTEST": {"secret_access_key_secret": "KEY_SECRET", "scopes": [
      {"account": "acct", "repository": "a", "actions": ["read", "write", "delete"]},
      {"account": "acct", "repository": "b", "actions": ["read", "write", "delete"]},
      {"account": "acct", "repository": "ro", "actions": ["read", "write", "delete"]}]}},
    "accounts": {"acct": {"repositories": {
      "a": {"backend": "main", "prefix": "pa/"}, "b": {"backend": "main", "prefix": "pb/"},
      "c": {"backend": "main", "prefix": "pc/"}, "ro": {"backend": "main", "prefix": "pr/", "read_only": true}}}}
  })";
}

struct WriteHost {
  Engine engine;
  sigv4::SigningKeyCache keys;
  WriteHost() {
    engine.init(write_config(), {{"KEY_SECRET", "test-secret"}}, enginetest::kSeed);
    REQUIRE(engine.configured());
  }
  // A request signed by AKIDTEST over `body` (SigV4 header form, at the engine's clock: 0).
  uint32_t begin(const std::string& method, const std::string& path, const std::string& query, const std::string& body) {
    const std::string hash = crypto::hex(crypto::sha256(body));
    std::vector<sigv4::Header> h{{"host", "proxy.test"}, {"x-amz-content-sha256", hash}};
    sigv4::sign_request(method, path, query, h, hash, {"AKIDTEST", "test-secret", ""}, "us-east-1", "s3", 0, keys);
    RequestHead head;
    head.method = method;
    head.path = path;
    head.query = query;
    for (auto& x : h) head.headers.push_back({x.name, x.value});
    head.has_body = !body.empty();
    head.random = 9;
    return engine.begin(std::move(head), 0);
  }
  Action next(uint32_t id) { return engine.next(id, 0); }
  void feed_body(uint32_t id, std::string body, bool ok = true) {
    Result r;
    r.kind = ActionKind::ReadBody;
    r.flag = ok;
    r.data = std::move(body);
    engine.feed(id, std::move(r), 0);
  }
  void answer(uint32_t id, uint32_t status, std::string body) {
    Result r;
    r.kind = ActionKind::Fetch;
    r.fetch.status = status;
    r.fetch.body = std::move(body);
    engine.feed(id, std::move(r), 0);
  }
};

const std::string kDelete = "<Delete><Object><Key>a/x</Key></Object><Object><Key>c/no</Key></Object>"
                            "<Object><Key>b/y</Key></Object><Object><Key>ro/z</Key></Object><Object><Key>a/w</Key></Object></Delete>";

}  // namespace

TEST_CASE("DeleteObjects: body read, forbidden keys answered locally, one backend request per repository") {
  WriteHost host;
  const uint32_t id = host.begin("POST", "/acct", "delete=", kDelete);
  Action a = host.next(id);
  REQUIRE(a.kind == ActionKind::ReadBody);
  CHECK(a.number == kMaxDeleteBody);  // what 1000 keys need, not the 4 MiB a part list may take
  host.feed_body(id, kDelete);

  a = host.next(id);
  REQUIRE(a.kind == ActionKind::Fetch);
  CHECK(a.fetch.method == "POST");
  CHECK(a.fetch.url == "http://127.0.0.1:9000/backend-bucket/?delete=");
  // Repository a's two keys, in its backend key space; nothing of c (forbidden) or ro (read-only).
  CHECK(a.fetch.body.bytes.find("<Key>pa/x</Key>") != std::string::npos);
  CHECK(a.fetch.body.bytes.find("<Key>pa/w</Key>") != std::string::npos);
  CHECK(a.fetch.body.bytes.find("pc/") == std::string::npos);
  CHECK(a.fetch.body.bytes.find("pr/") == std::string::npos);
  CHECK(find_header(a.fetch.headers, "content-md5") != nullptr);
  host.answer(id, 200, "<DeleteResult><Deleted><Key>pa/x</Key></Deleted><Error><Key>pa/w</Key><Code>AccessDenied</Code>"
                       "<Message>no</Message></Error><Deleted><Key>elsewhere/leak</Key></Deleted></DeleteResult>");

  a = host.next(id);
  REQUIRE(a.kind == ActionKind::Fetch);
  CHECK(a.fetch.body.bytes.find("<Key>pb/y</Key>") != std::string::npos);
  host.answer(id, 503, "");  // b's backend fails: its keys are errors, a's results stand

  a = host.next(id);
  REQUIRE(a.kind == ActionKind::Respond);
  CHECK(a.respond.status == 200);
  const std::string& doc = a.respond.body.bytes;
  CHECK(doc.find("<Deleted><Key>a/x</Key></Deleted>") != std::string::npos);
  CHECK(doc.find("<Error><Key>a/w</Key><Code>AccessDenied</Code>") != std::string::npos);
  CHECK(doc.find("<Error><Key>c/no</Key><Code>AccessDenied</Code>") != std::string::npos);
  CHECK(doc.find("<Error><Key>ro/z</Key><Code>AccessDenied</Code>") != std::string::npos);
  CHECK(doc.find("<Error><Key>b/y</Key><Code>ServiceUnavailable</Code>") != std::string::npos);
  CHECK(doc.find("leak") == std::string::npos);  // a key outside the repository is never shown
  CHECK(host.next(id).kind == ActionKind::Done);
  host.engine.release(id);
  CHECK(host.engine.in_flight() == 0);
}

TEST_CASE("DeleteObjects / Complete: a body over the limit or not what was signed costs no backend request") {
  WriteHost host;
  uint32_t id = host.begin("POST", "/acct", "delete=", kDelete);
  REQUIRE(host.next(id).kind == ActionKind::ReadBody);
  host.feed_body(id, "", false);  // the host could not read it within the limit
  Action a = host.next(id);
  REQUIRE(a.kind == ActionKind::Respond);
  CHECK(a.respond.status == 400);
  CHECK(enginetest::element(a.respond.body.bytes, "Code") == "MalformedXML");
  host.engine.release(id);

  const std::string complete = "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>";
  id = host.begin("POST", "/acct/a/obj", "uploadId=u1", complete);
  REQUIRE(host.next(id).kind == ActionKind::ReadBody);
  host.feed_body(id, complete + " ");  // not the bytes the signature covers
  a = host.next(id);
  REQUIRE(a.kind == ActionKind::Respond);
  CHECK(enginetest::element(a.respond.body.bytes, "Code") == "XAmzContentSHA256Mismatch");
  host.engine.release(id);

  id = host.begin("POST", "/acct/a/obj", "uploadId=u1", complete);
  REQUIRE(host.next(id).kind == ActionKind::ReadBody);
  host.feed_body(id, complete);
  a = host.next(id);
  REQUIRE(a.kind == ActionKind::Fetch);
  CHECK(a.fetch.url == "http://127.0.0.1:9000/backend-bucket/pa/obj?uploadId=u1");
  CHECK(a.fetch.timeout_ms == kLongOperationMs);  // the backend assembles the parts before it answers
  host.answer(id, 200, "<Error><Code>InvalidPart</Code><Message>m</Message></Error>");  // a failure inside a 200
  a = host.next(id);
  REQUIRE(a.kind == ActionKind::Respond);
  CHECK(a.respond.status == 400);
  CHECK(enginetest::element(a.respond.body.bytes, "Code") == "InvalidPart");
  host.engine.release(id);
  CHECK(host.engine.in_flight() == 0);
}

TEST_CASE("phase machine: a result that was not asked for answers 500, never crashes") {
  WriteHost host;
  const uint32_t id = host.begin("POST", "/acct", "delete=", kDelete);
  REQUIRE(host.next(id).kind == ActionKind::ReadBody);
  host.answer(id, 200, "<DeleteResult/>");  // a Fetch result where a body was asked for
  Action a = host.next(id);
  REQUIRE(a.kind == ActionKind::Respond);
  CHECK(a.respond.status == 500);
  CHECK(a.respond.log_line.find("\"fault\":\"host\"") != std::string::npos);
  CHECK(host.next(id).kind == ActionKind::Done);
  host.engine.release(id);
}
