// Signed aws-chunked uploads (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) as the core plans them: the Fetch carries the
// client's body with the spec the host checks it by (the scope's signing key, date, scope, seed, decoded length), the backend
// request is for the decoded body, and the host's refusal of a body reaches the client as S3 would answer it.
#include <catch2/catch.hpp>

#include "worker/core/engine.h"
#include "worker/crypto/sha256.h"
#include "worker/ops/upload_body.h"
#include "worker/sign/sigv4.h"

using namespace s3p;

namespace {

std::string config() {
  return R"({
    "backends": {"main": {"endpoint": "http://127.0.0.1:9000", "bucket": "bb",
      "auth": {"type": "static", "access_key_id_secret": "BK_ID", "secret_access_key_secret": "BK_SECRET"}}},
    "access_keys": {"AKIDTEST": {"secret_access_key_secret": "KEY_SECRET", "scopes": [
      {"account": "acct", "repository": "a", "actions": ["read", "write"]}]}},
    "accounts": {"acct": {"repositories": {"a": {"backend": "main", "prefix": "pa/"}}}}
  })";
}

struct ChunkHost {
  Engine engine;
  sigv4::SigningKeyCache keys;
  std::string signature;  // the last request's
  ChunkHost() {
    engine.init(config(), {{"KEY_SECRET", "test-secret"}, {"BK_ID", "BKID"}, {"BK_SECRET", "bk-secret"}}, "signed-chunks test seed, 32 bytes");
    REQUIRE(engine.configured());
  }
  uint32_t begin(const std::string& path, const std::string& query, std::string payload, std::vector<sigv4::Header> extra) {
    std::vector<sigv4::Header> h{{"host", "proxy.test"}, {"x-amz-content-sha256", payload}};
    for (auto& x : extra) h.push_back(x);
    sigv4::sign_request("PUT", path, query, h, payload, {"AKIDTEST", "test-secret", ""}, "us-east-1", "s3", 0, keys);
    RequestHead head;
    head.method = "PUT";
    head.path = path;
    head.query = query;
    for (auto& x : h) {
      if (x.name == "authorization") signature = x.value.substr(x.value.rfind('=') + 1);
      head.headers.push_back({x.name, x.value});
    }
    head.has_body = true;
    head.random = 3;
    return engine.begin(std::move(head), 0);
  }
  Action next(uint32_t id) { return engine.next(id, 0); }
};

const std::string* header(const Headers& hs, std::string_view name) { return find_header(hs, name); }

const std::string kStreaming(sigv4::kStreamingSignedPayload);

}  // namespace

TEST_CASE("signed chunks: PutObject sends the decoded body with the spec the host checks it by") {
  ChunkHost host;
  const uint32_t id = host.begin("/acct/a/k.bin", "", kStreaming,
                                 {{"content-encoding", "aws-chunked,gzip"}, {"x-amz-decoded-content-length", "200000"},
                                  {"x-amz-meta-owner", "me"}});
  const Action a = host.next(id);
  REQUIRE(a.kind == ActionKind::Fetch);
  CHECK(a.fetch.method == "PUT");
  CHECK(a.fetch.url == "http://127.0.0.1:9000/bb/pa/k.bin");
  REQUIRE(a.fetch.body.kind == BodyKind::SignedChunks);
  CHECK(a.fetch.body.handle == 1u);
  const ChunkSignatures& c = a.fetch.body.chunks;
  // The signing key for the request's scope (HMAC chain from "AWS4" + secret), never the secret itself: so the host
  // checks chunks of a session's or a registry key's upload as it does a Worker secret's.
  std::string k = "AWS4test-secret";
  for (const char* part : {"19700101", "us-east-1", "s3", "aws4_request"}) {
    const crypto::Digest d = crypto::hmac_sha256(k, part);
    k.assign(d.begin(), d.end());
  }
  CHECK(c.signing_key == k);
  CHECK(c.signing_key.find("test-secret") == std::string::npos);
  CHECK(c.amz_date == "19700101T000000Z");
  CHECK(c.scope == "19700101/us-east-1/s3/aws4_request");
  CHECK(c.seed_signature == host.signature);
  CHECK(c.decoded_length == 200000u);
  // The backend gets plain bytes: no framing headers, signed as UNSIGNED-PAYLOAD (the host checked every chunk).
  CHECK(*header(a.fetch.headers, "x-amz-content-sha256") == "UNSIGNED-PAYLOAD");
  CHECK(*header(a.fetch.headers, "content-encoding") == "gzip");
  CHECK(header(a.fetch.headers, "x-amz-decoded-content-length") == nullptr);
  CHECK(header(a.fetch.headers, "content-length") == nullptr);  // the host's fixed-length body sets it
  CHECK(*header(a.fetch.headers, "x-amz-meta-owner") == "me");
  REQUIRE(header(a.fetch.headers, "authorization") != nullptr);
  CHECK(header(a.fetch.headers, "authorization")->find("content-encoding;host;x-amz-content-sha256") != std::string::npos);
}

TEST_CASE("signed chunks: UploadPart too, with only aws-chunked as the encoding (dropped)") {
  ChunkHost host;
  const uint32_t id = host.begin("/acct/a/big", "partNumber=2&uploadId=U1", kStreaming,
                                 {{"content-encoding", "aws-chunked"}, {"x-amz-decoded-content-length", "5242880"}});
  const Action a = host.next(id);
  REQUIRE(a.kind == ActionKind::Fetch);
  CHECK(a.fetch.url == "http://127.0.0.1:9000/bb/pa/big?partNumber=2&uploadId=U1");
  REQUIRE(a.fetch.body.kind == BodyKind::SignedChunks);
  CHECK(a.fetch.body.chunks.decoded_length == 5242880u);
  CHECK(header(a.fetch.headers, "content-encoding") == nullptr);
}

TEST_CASE("signed chunks: the decoded length is required and numeric; trailer and ECDSA variants answer 501") {
  struct Case {
    std::string payload;
    std::vector<sigv4::Header> extra;
    uint32_t status;
  };
  const std::vector<Case> cases = {
      {kStreaming, {}, 411},
      {kStreaming, {{"x-amz-decoded-content-length", "12x"}}, 400},
      {kStreaming, {{"x-amz-decoded-content-length", "-1"}}, 400},
      {kStreaming, {{"x-amz-decoded-content-length", "99999999999999"}}, 400},
      {"STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", {{"x-amz-decoded-content-length", "5"}}, 501},
      {"STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", {{"x-amz-decoded-content-length", "5"}}, 501},
  };
  for (const auto& c : cases) {
    ChunkHost host;
    const Action a = host.next(host.begin("/acct/a/k", "", c.payload, c.extra));
    INFO(c.payload);
    REQUIRE(a.kind == ActionKind::Respond);  // no backend request
    CHECK(a.respond.status == c.status);
  }
}

TEST_CASE("signed chunks: a body the host refused answers as S3 does, never 503") {
  for (auto [outcome, status, code] : {std::tuple{FetchOutcome::BodySignatureMismatch, 403u, "SignatureDoesNotMatch"},
                                       std::tuple{FetchOutcome::BodyMalformed, 400u, "IncompleteBody"}}) {
    ChunkHost host;
    const uint32_t id = host.begin("/acct/a/k", "", kStreaming, {{"x-amz-decoded-content-length", "10"}});
    REQUIRE(host.next(id).kind == ActionKind::Fetch);
    Result r;
    r.kind = ActionKind::Fetch;
    r.fetch.outcome = outcome;
    r.fetch.error = "chunk at decoded offset 0 does not match its signature";
    host.engine.feed(id, std::move(r), 0);
    const Action a = host.next(id);
    REQUIRE(a.kind == ActionKind::Respond);
    CHECK(a.respond.status == status);
    CHECK(a.respond.body.bytes.find(std::string("<Code>") + code + "</Code>") != std::string::npos);
  }
}

TEST_CASE("parse_decoded_length: digits only, up to 5 TiB") {
  uint64_t n = 0;
  CHECK(parse_decoded_length("0", n));
  CHECK(n == 0);
  CHECK(parse_decoded_length("5497558138880", n));
  CHECK(n == 5497558138880ull);
  CHECK_FALSE(parse_decoded_length("5497558138881", n));
  CHECK_FALSE(parse_decoded_length("", n));
  CHECK_FALSE(parse_decoded_length("+1", n));
  CHECK_FALSE(parse_decoded_length("1 ", n));
}
