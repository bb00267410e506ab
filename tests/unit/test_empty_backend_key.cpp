// No backend request ever carries an empty object key: in path style that URL is the backend bucket itself, and a
// GET of it lists the whole backend bucket. An empty key inside a repository answers as S3 would (NoSuchKey).
#include "engine_fixture.h"
#include "worker/dialect/s3_dialect.h"

using namespace s3p;

TEST_CASE("an empty key in a repository with an empty backend prefix is NoSuchKey, without a backend request",
          "[route][empty-key]") {
  enginetest::Host h;
  for (const char* method : {"GET", "HEAD"}) {
    for (const char* path : {"/acct/root/", "/acct/root"}) {
      INFO(method << " " << path);
      const uint32_t id = h.begin(method, path);
      const Action a = h.next(id);
      REQUIRE(a.kind == ActionKind::Respond);  // not a Fetch
      CHECK(a.respond.status == 404);
      if (std::string(method) == "GET") CHECK(a.respond.body.bytes.find("<Code>NoSuchKey</Code>") != std::string::npos);
      h.engine.release(id);
    }
  }
  // With a non-empty prefix, the repository's own "directory" key is a real backend key.
  const uint32_t id = h.begin("GET", "/acct/pre/");
  const Action a = h.next(id);
  REQUIRE(a.kind == ActionKind::Fetch);
  CHECK(a.fetch.url == "http://127.0.0.1:9000/backend-bucket/pre/");
  h.engine.release(id);
}

TEST_CASE("backend object URLs refuse an empty key; only bucket-scope requests address the bucket",
          "[route][empty-key]") {
  Backend b;
  b.scheme = "http";
  b.authority = "127.0.0.1:9000";
  b.bucket = "bkt";
  sigv4::SigningKeyCache keys;
  const sigv4::Credentials keys_in{"AKID", "SECRET", ""};
  const BackendCredentials creds = BackendCredentials::keys(keys_in);
  for (const BackendCredentials* c : {static_cast<const BackendCredentials*>(nullptr), &creds}) {
    CHECK(dialect::s3_request(BackendTarget{&b, "", {}}, "GET", {}, c, dialect::Signing{0, keys}).url.empty());
    CHECK(dialect::s3_request(BackendTarget{&b, "k", {}}, "GET", {}, c, dialect::Signing{0, keys}).url == "http://127.0.0.1:9000/bkt/k");
    CHECK(dialect::s3_request(BackendTarget{&b, "", {}, BackendTarget::Scope::Bucket}, "GET", {}, c, dialect::Signing{0, keys}).url ==
          "http://127.0.0.1:9000/bkt/");
    dialect::ObjectWrite put;  // a write names its key: an empty one is refused too
    CHECK(dialect::of(b).write(b, put, c, dialect::Signing{0, keys}).url.empty());
    CHECK(dialect::s3_request(BackendTarget{&b, "k", {}, BackendTarget::Scope::Bucket}, "GET", {}, c, dialect::Signing{0, keys}).url.empty());
  }
}
