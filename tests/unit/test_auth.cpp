// Inbound authentication (worker/auth/authenticate.h) against published vectors, and authorization rules.
//
// Sources of the expected signatures (copied verbatim, not recomputed):
//  * Amazon S3 API Reference, "Examples: Signature Calculations in AWS Signature Version 4" (header form: GET
//    Object, GET Bucket lifecycle, GET Bucket (list objects), PUT Object) and "Authenticating Requests: Using Query
//    Parameters" (the presigned GET of examplebucket/test.txt). AKIAIOSFODNN7EXAMPLE, 20130524T000000Z, us-east-1.
//  * Amazon S3 Developer Guide, "Signing and Authenticating REST Requests" (SigV2): the GET of
//    johnsmith/photos/puppy.jpg (header form) and its query-string form (Expires=1175139620).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "worker/auth/authenticate.h"
#include "worker/auth/authorize.h"
#include "worker/auth/request_time.h"
#include "worker/auth/session.h"
#include "worker/config/config.h"

using namespace s3p;

namespace {

constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr int64_t k20130524 = 1369353600;  // 2013-05-24T00:00:00Z
constexpr int64_t k20070327 = 1175024202;  // 2007-03-27T19:36:42Z

Config example_config(const std::string& extra = "") {
  const std::string json = R"({
    "backends": {"b": {"endpoint": "https://s3.example.org", "bucket": "bk"}},
    "accounts": {
      "examplebucket": {"repositories": {"test.txt": {"backend": "b"}, "pub": {"backend": "b", "public": true},
                                         "ro": {"backend": "b", "read_only": true, "public": true}}},
      "other": {"repositories": {"x": {"backend": "b"}}}
    },
    "access_keys": {
      "AKIAIOSFODNN7EXAMPLE": {"secret_access_key_secret": "EXAMPLE_SECRET",
        "scopes": [{"account": "examplebucket", "repository": "*", "actions": ["read", "list", "write"]}]},
      "AKIDSCOPED": {"secret_access_key_secret": "SCOPED_SECRET",
        "scopes": [{"account": "examplebucket", "repository": "test.txt", "prefix": "team/", "actions": ["read"]},
                   {"account": "examplebucket", "repository": "ro", "actions": ["write", "delete"]}]}
    })" + extra + "}";
  Config cfg;
  std::string error;
  REQUIRE(load_config(json, {{"EXAMPLE_SECRET", kSecret}, {"SCOPED_SECRET", "another secret"}}, cfg, error));
  return cfg;
}

struct Req {
  std::string method = "GET";
  std::string path = "/test.txt";
  std::string resource;  // SigV2 resource; defaults to path
  std::string query;
  Headers headers;
  bool has_body = false;
};

auth::Verdict check(const Config& cfg, const Req& r, int64_t now) {
  std::vector<http::QueryParam> params;
  REQUIRE(http::parse_query(r.query, params));
  sigv4::SigningKeyCache keys;
  const std::string resource = r.resource.empty() ? r.path : r.resource;
  return auth::authenticate({r.method, r.path, resource, params, r.headers, r.has_body}, cfg, now, keys);
}

std::string code(const auth::Verdict& v) { return v.error ? std::string(v.error->code) : "OK"; }

Req get_object() {  // S3 API Reference, Example: GET Object
  Req r;
  r.headers = {{"host", "examplebucket.s3.amazonaws.com"}, {"range", "bytes=0-9"},
               {"x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
               {"x-amz-date", "20130524T000000Z"},
               {"authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                                 "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                                 "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"}};
  return r;
}

Req presigned() {  // S3 API Reference, Example: presigned URL for GET examplebucket/test.txt
  Req r;
  r.query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2F"
            "aws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature="
            "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
  r.headers = {{"host", "examplebucket.s3.amazonaws.com"}};
  return r;
}

Req sigv2_get() {  // S3 Developer Guide, SigV2 example: Object GET
  Req r;
  r.path = "/photos/puppy.jpg";
  r.resource = "/johnsmith/photos/puppy.jpg";
  r.headers = {{"host", "johnsmith.s3.amazonaws.com"}, {"date", "Tue, 27 Mar 2007 19:36:42 +0000"},
               {"authorization", "AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMU="}};
  return r;
}

Req sigv2_query() {  // S3 Developer Guide, SigV2 example: query string authentication
  Req r;
  r.path = "/photos/puppy.jpg";
  r.resource = "/johnsmith/photos/puppy.jpg";
  r.query = "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620";
  r.headers = {{"host", "johnsmith.s3.amazonaws.com"}};
  return r;
}

void set(Headers& hs, const std::string& name, const std::string& value) {
  for (auto& h : hs)
    if (h.name == name) {
      h.value = value;
      return;
    }
  hs.push_back({name, value});
}

}  // namespace

TEST_CASE("SigV4 header form: AWS's S3 examples verify, and the key is the caller", "[auth]") {
  const Config cfg = example_config();
  auth::Verdict v = check(cfg, get_object(), k20130524);
  CHECK(code(v) == "OK");
  REQUIRE(v.key);
  CHECK(v.key->id == "AKIAIOSFODNN7EXAMPLE");
  CHECK(v.scheme == "sigv4");

  Req lifecycle;  // GET Bucket lifecycle
  lifecycle.path = "/";
  lifecycle.query = "lifecycle";
  lifecycle.headers = {{"host", "examplebucket.s3.amazonaws.com"}, {"x-amz-date", "20130524T000000Z"},
                       {"x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
                       {"authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                                         "SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
                                         "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"}};
  CHECK(code(check(cfg, lifecycle, k20130524)) == "OK");

  Req list = lifecycle;  // GET Bucket (List Objects)
  list.query = "max-keys=2&prefix=J";
  set(list.headers, "authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                                     "SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
                                     "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
  CHECK(code(check(cfg, list, k20130524)) == "OK");

  Req put;  // PUT Object, with a body and a declared payload hash
  put.method = "PUT";
  put.path = "/test%24file.text";
  put.has_body = true;
  put.headers = {{"host", "examplebucket.s3.amazonaws.com"}, {"date", "Fri, 24 May 2013 00:00:00 GMT"},
                 {"x-amz-date", "20130524T000000Z"}, {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                 {"x-amz-content-sha256", "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"},
                 {"authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                                   "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
                                   "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"}};
  auth::Verdict pv = check(cfg, put, k20130524);
  CHECK(code(pv) == "OK");
  CHECK(pv.payload_hash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  // The same request with its '$' sent raw still verifies (clients differ in what they escape).
  put.path = "/test$file.text";
  CHECK(code(check(cfg, put, k20130524)) == "OK");
}

TEST_CASE("SigV4 header form: every tampering and every bad parameter gets S3's code", "[auth]") {
  const Config cfg = example_config();
  auto with = [&](auto mutate, int64_t now = k20130524) {
    Req r = get_object();
    mutate(r);
    return code(check(cfg, r, now));
  };
  CHECK(with([](Req& r) { r.path = "/test.txT"; }) == "SignatureDoesNotMatch");
  CHECK(with([](Req& r) { r.query = "versionId=1"; }) == "SignatureDoesNotMatch");
  CHECK(with([](Req& r) { set(r.headers, "range", "bytes=0-10"); }) == "SignatureDoesNotMatch");
  CHECK(with([](Req& r) { set(r.headers, "host", "evil.example.org"); }) == "SignatureDoesNotMatch");
  CHECK(with([](Req& r) { r.method = "HEAD"; }) == "SignatureDoesNotMatch");
  CHECK(with([](Req& r) { r.headers.erase(r.headers.begin() + 1); }) == "SignatureDoesNotMatch");  // signed range gone
  CHECK(with([](Req& r) { r.headers.push_back({"x-amz-meta-extra", "1"}); }) == "AccessDenied");  // unsigned x-amz-*
  // Skew: 15 minutes is the limit both ways.
  CHECK(with([](Req&) {}, k20130524 + 15 * 60) == "OK");
  CHECK(with([](Req&) {}, k20130524 + 16 * 60) == "RequestTimeTooSkewed");
  CHECK(with([](Req&) {}, k20130524 - 16 * 60) == "RequestTimeTooSkewed");
  CHECK(with([](Req& r) { r.headers.erase(r.headers.begin() + 3); }) == "AccessDenied");  // no x-amz-date
  CHECK(with([](Req& r) { r.headers.erase(r.headers.begin() + 2); }) == "InvalidRequest");  // no content sha256
  CHECK(with([](Req& r) { set(r.headers, "x-amz-content-sha256", "nonsense"); }) == "InvalidArgument");
  CHECK(with([](Req& r) { set(r.headers, "x-amz-content-sha256", std::string(64, 'a')); }) == "XAmzContentSHA256Mismatch");
  // Unknown key, and a key the deployment does not know but serves anonymously when it opts in.
  auto unknown = [](Req& r) {
    set(r.headers, "authorization", "AWS4-HMAC-SHA256 Credential=AKIDUNKNOWN/20130524/us-west-2/s3/aws4_request,"
                                    "SignedHeaders=host;x-amz-date,Signature=00");
  };
  CHECK(with(unknown) == "InvalidAccessKeyId");
  {
    const Config lenient = example_config(R"(, "unknown_keys_as_anonymous": true)");
    Req r = get_object();
    unknown(r);
    auth::Verdict v = check(lenient, r, k20130524);
    CHECK(code(v) == "OK");
    CHECK(v.key == nullptr);
  }
  // The credential scope must be today's, our region's, s3's.
  auto scope = [](const char* credential) {
    return [credential](Req& r) {
      set(r.headers, "authorization", std::string("AWS4-HMAC-SHA256 Credential=") + credential +
                                          ",SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=00");
    };
  };
  CHECK(with(scope("AKIAIOSFODNN7EXAMPLE/20130523/us-east-1/s3/aws4_request")) == "AuthorizationHeaderMalformed");
  CHECK(with(scope("AKIAIOSFODNN7EXAMPLE/20130524/eu-west-1/s3/aws4_request")) == "AuthorizationHeaderMalformed");
  CHECK(with(scope("AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/ec2/aws4_request")) == "AuthorizationHeaderMalformed");
  CHECK(with(scope("AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws5_request")) == "AuthorizationHeaderMalformed");
  CHECK(with(scope("AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3")) == "AuthorizationHeaderMalformed");
  CHECK(with([](Req& r) {
          set(r.headers, "authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                                          "SignedHeaders=range;x-amz-content-sha256;x-amz-date,Signature=00");
        }) == "AuthorizationHeaderMalformed");  // host not signed
  CHECK(with([](Req& r) { set(r.headers, "authorization", "AWS4-HMAC-SHA256 garbage"); }) == "AuthorizationHeaderMalformed");
  CHECK(with([](Req& r) { set(r.headers, "authorization", "Bearer x"); }) == "InvalidArgument");
  // The wrong secret for the right key.
  {
    Config wrong = example_config();
    wrong.access_keys[0].secret = "not the secret";
    CHECK(code(check(wrong, get_object(), k20130524)) == "SignatureDoesNotMatch");
  }
}

TEST_CASE("SigV4 presigned: AWS's example verifies until it expires; its limits hold", "[auth]") {
  const Config cfg = example_config();
  auth::Verdict v = check(cfg, presigned(), k20130524 + 3600);
  CHECK(code(v) == "OK");
  CHECK(v.scheme == "sigv4-query");
  CHECK(code(check(cfg, presigned(), k20130524 + 86400)) == "OK");
  auth::Verdict expired = check(cfg, presigned(), k20130524 + 86401);
  CHECK(code(expired) == "AccessDenied");
  CHECK(expired.error->message == "Request has expired");
  CHECK(code(check(cfg, presigned(), k20130524 - 16 * 60)) == "AccessDenied");  // not yet valid
  auto with = [&](const std::string& from, const std::string& to) {
    Req r = presigned();
    r.query.replace(r.query.find(from), from.size(), to);
    return code(check(cfg, r, k20130524 + 60));
  };
  CHECK(with("X-Amz-Expires=86400", "X-Amz-Expires=604801") == "AuthorizationQueryParametersError");
  CHECK(with("X-Amz-Expires=86400", "X-Amz-Expires=0") == "AuthorizationQueryParametersError");
  CHECK(with("X-Amz-Expires=86400", "X-Amz-Expires=-5") == "AuthorizationQueryParametersError");
  CHECK(with("X-Amz-Expires=86400", "X-Amz-Expires=86401") == "SignatureDoesNotMatch");
  CHECK(with("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=x-amz-date") == "AuthorizationQueryParametersError");
  CHECK(with("&X-Amz-Date=20130524T000000Z", "") == "AuthorizationQueryParametersError");
  CHECK(with("X-Amz-Signature=aeee", "X-Amz-Signature=beee") == "SignatureDoesNotMatch");
  CHECK(with("X-Amz-Algorithm=AWS4", "foo=1&X-Amz-Algorithm=AWS4") == "SignatureDoesNotMatch");  // extra parameter
  Req both = presigned();
  both.headers.push_back({"authorization", "AWS4-HMAC-SHA256 x"});
  CHECK(code(check(cfg, both, k20130524)) == "InvalidArgument");
}

TEST_CASE("SigV2: AWS's header and query-string examples verify; forgeries and expiry do not", "[auth]") {
  const Config cfg = example_config();
  auth::Verdict h = check(cfg, sigv2_get(), k20070327);
  CHECK(code(h) == "OK");
  CHECK(h.scheme == "sigv2");
  Req forged = sigv2_get();
  set(forged.headers, "authorization", "AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMV=");
  CHECK(code(check(cfg, forged, k20070327)) == "SignatureDoesNotMatch");
  Req other = sigv2_get();
  other.resource = "/johnsmith/photos/kitten.jpg";
  CHECK(code(check(cfg, other, k20070327)) == "SignatureDoesNotMatch");
  CHECK(code(check(cfg, sigv2_get(), k20070327 + 16 * 60)) == "RequestTimeTooSkewed");

  auth::Verdict q = check(cfg, sigv2_query(), 1175139620 - 60);
  CHECK(code(q) == "OK");
  CHECK(q.scheme == "sigv2-query");
  CHECK(code(check(cfg, sigv2_query(), 1175139621)) == "AccessDenied");  // expired
  CHECK(code(check(cfg, sigv2_query(), 1175139620 - 604801)) == "AuthorizationQueryParametersError");  // > a week
  Req tampered = sigv2_query();
  tampered.query += "&versionId=2";  // a sub-resource is part of what V2 signs
  CHECK(code(check(cfg, tampered, 1175139620 - 60)) == "SignatureDoesNotMatch");
  Req unknown = sigv2_query();
  unknown.query.replace(unknown.query.find("AKIAIOSFODNN7EXAMPLE"), 20, "AKIAIOSFODNN7EXAMPLF");
  CHECK(code(check(cfg, unknown, 1175139620 - 60)) == "InvalidAccessKeyId");
}

TEST_CASE("SigV2 query form: x-amz-* parameters are signed as headers (a session token, as botocore presigns)", "[auth]") {
  // botocore's HmacV1QueryAuth with the example key and session token "session/token+value=" (its output; the
  // same presigner without a token reproduces the Developer Guide's NpgCjnDzrM… above).
  const Config cfg = example_config();
  Req r = sigv2_query();
  r.query = "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=A5Pi7UM3YlhB8tBTiD972GcIxeg%3D"
            "&x-amz-security-token=session%2Ftoken%2Bvalue%3D&Expires=1175139620";
  CHECK(code(check(cfg, r, 1175139620 - 60)) == "OK");
  Req altered = r;  // the token is part of what was signed
  altered.query.replace(altered.query.find("session%2F"), 10, "sessiom%2F");
  CHECK(code(check(cfg, altered, 1175139620 - 60)) == "SignatureDoesNotMatch");
  Req dropped = r;
  dropped.query.erase(dropped.query.find("&x-amz-security-token"), std::string("&x-amz-security-token=session%2Ftoken%2Bvalue%3D").size());
  CHECK(code(check(cfg, dropped, 1175139620 - 60)) == "SignatureDoesNotMatch");
  // What the core reads the token from, and what it does not forward.
  std::vector<http::QueryParam> params;
  REQUIRE(http::parse_query(r.query, params));
  const std::string* token = auth::session_token({}, params);
  REQUIRE(token);
  CHECK(*token == "session/token+value=");
  auth::strip_auth_params(params);
  CHECK(params.empty());
}

TEST_CASE("Every signature form refuses x-amz-* headers the signature does not cover", "[auth]") {
  // A presigned PUT's holder adding x-amz-copy-source would turn it into a copy of whatever the signer may read;
  // x-amz-meta-*, tagging, storage class or a website redirect would change what is stored. S3 refuses them all.
  const Config cfg = example_config();
  for (const char* name : {"x-amz-copy-source", "x-amz-meta-a", "x-amz-tagging", "x-amz-storage-class",
                           "x-amz-website-redirect-location", "x-amz-content-sha256"}) {
    Req r = presigned();
    r.headers.push_back({name, "/examplebucket/secret"});
    auth::Verdict v = check(cfg, r, k20130524 + 60);
    CHECK(code(v) == "AccessDenied");
    REQUIRE(v.error);
    CHECK(v.error->message == errors::UnsignedHeaders.message);
    CHECK(v.key == nullptr);
  }
  Req unsigned_payload = presigned();  // what a presigned body is anyway: S3 lets it through, and so do we
  unsigned_payload.headers.push_back({"x-amz-content-sha256", "UNSIGNED-PAYLOAD"});
  CHECK(code(check(cfg, unsigned_payload, k20130524 + 60)) == "OK");
  Req trace = presigned();  // not an x-amz- header: the SDKs leave it unsigned
  trace.headers.push_back({"x-amzn-trace-id", "Root=1-abc"});
  CHECK(code(check(cfg, trace, k20130524 + 60)) == "OK");

  Req header_form = get_object();
  header_form.headers.push_back({"x-amz-copy-source", "/examplebucket/secret"});
  CHECK(code(check(cfg, header_form, k20130524)) == "AccessDenied");

  // SigV2 signs every x-amz-* header (CanonicalizedAmzHeaders) in both forms: an added one breaks the signature.
  Req v2q = sigv2_query();
  v2q.headers.push_back({"x-amz-copy-source", "/johnsmith/secret"});
  CHECK(code(check(cfg, v2q, 1175139620 - 60)) == "SignatureDoesNotMatch");
  Req v2h = sigv2_get();
  v2h.headers.push_back({"x-amz-meta-a", "b"});
  CHECK(code(check(cfg, v2h, k20070327)) == "SignatureDoesNotMatch");
}

TEST_CASE("A refused signature still names its form and the key it claimed (for the log)", "[auth]") {
  const Config cfg = example_config();
  Req bad = get_object();
  set(bad.headers, "authorization",
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
      "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=00");
  auth::Verdict v = check(cfg, bad, k20130524);
  CHECK(code(v) == "SignatureDoesNotMatch");
  CHECK(v.scheme == "sigv4");
  CHECK(v.claimed_key_id == "AKIAIOSFODNN7EXAMPLE");
  CHECK(v.key == nullptr);
  Req expired = presigned();
  v = check(cfg, expired, k20130524 + 86401);
  CHECK(v.scheme == "sigv4-query");
  CHECK(v.claimed_key_id == "AKIAIOSFODNN7EXAMPLE");
  v = check(cfg, sigv2_query(), 1175139621);
  CHECK(v.scheme == "sigv2-query");
  CHECK(v.claimed_key_id == "AKIAIOSFODNN7EXAMPLE");
  Req unknown = sigv2_get();
  set(unknown.headers, "authorization", "AWS AKIDNOBODY:bWq2s1WEIj+Ydj0vQ697zp+IXMU=");
  v = check(cfg, unknown, k20070327);
  CHECK(code(v) == "InvalidAccessKeyId");
  CHECK(v.scheme == "sigv2");
  CHECK(v.claimed_key_id == "AKIDNOBODY");
}

TEST_CASE("SigV2: a Date more than 15 minutes ahead is skewed too, and 15 minutes is not", "[auth]") {
  const Config cfg = example_config();
  CHECK(code(check(cfg, sigv2_get(), k20070327 - 16 * 60)) == "RequestTimeTooSkewed");  // the request is ahead
  CHECK(code(check(cfg, sigv2_get(), k20070327 - 15 * 60)) == "OK");
  CHECK(code(check(cfg, sigv2_get(), k20070327 + 15 * 60)) == "OK");
}

TEST_CASE("Anonymous requests carry no key; authentication parameters are removed before the operation", "[auth]") {
  const Config cfg = example_config();
  Req r;
  r.headers = {{"host", "x"}};
  auth::Verdict v = check(cfg, r, k20130524);
  CHECK(code(v) == "OK");
  CHECK(v.key == nullptr);
  std::vector<http::QueryParam> params;
  REQUIRE(http::parse_query(presigned().query + "&versionId=7", params));
  auth::strip_auth_params(params);
  REQUIRE(params.size() == 1);
  CHECK(params[0].name == "versionId");
}

TEST_CASE("Authorization: public reads, scoped keys, read-only repositories", "[auth]") {
  const Config cfg = example_config();
  const Account& acct = *cfg.find("examplebucket");
  const Account& other = *cfg.find("other");
  const Repository& priv = *acct.find("test.txt");
  const Repository& pub = *acct.find("pub");
  const Repository& ro = *acct.find("ro");
  const AccessKey* full = cfg.find_key("AKIAIOSFODNN7EXAMPLE");
  const AccessKey* scoped = cfg.find_key("AKIDSCOPED");
  REQUIRE(full);
  REQUIRE(scoped);

  // Anonymous: public repositories are readable and listable, nothing else.
  CHECK(auth::allows(nullptr, acct, pub, kPermRead, "a"));
  CHECK(auth::allows(nullptr, acct, pub, kPermList, ""));
  CHECK_FALSE(auth::allows(nullptr, acct, pub, kPermWrite, "a"));
  CHECK_FALSE(auth::allows(nullptr, acct, priv, kPermRead, "a"));
  CHECK_FALSE(auth::can_see(nullptr, acct, priv));
  CHECK_FALSE(auth::can_see(nullptr, other));
  CHECK(auth::can_see(nullptr, acct));

  // A key scoped to the whole account.
  CHECK(auth::allows(full, acct, priv, kPermRead, "a"));
  CHECK(auth::allows(full, acct, priv, kPermWrite, "a"));
  CHECK_FALSE(auth::allows(full, acct, priv, kPermDelete, "a"));
  CHECK_FALSE(auth::allows(full, other, *other.find("x"), kPermRead, "a"));
  CHECK_FALSE(auth::can_see(full, other));

  // A key scoped to a prefix: inside only; listing needs the prefix too.
  CHECK(auth::allows(scoped, acct, priv, kPermRead, "team/a"));
  CHECK_FALSE(auth::allows(scoped, acct, priv, kPermRead, "teamx"));
  CHECK_FALSE(auth::allows(scoped, acct, priv, kPermRead, "other/a"));
  CHECK_FALSE(auth::allows(scoped, acct, priv, kPermList, "team/"));  // read, not list
  CHECK(auth::can_see(scoped, acct, priv));

  // Read-only wins over any scope.
  CHECK_FALSE(auth::allows(scoped, acct, ro, kPermWrite, "a"));
  CHECK_FALSE(auth::allows(scoped, acct, ro, kPermDelete, "a"));
  CHECK(auth::allows(scoped, acct, ro, kPermRead, "a"));  // it is public
}

TEST_CASE("Config: access keys and scopes are validated, naming the field", "[auth][config]") {
  auto load = [](const std::string& keys, const Env& env = {{"S", "secret"}}) {
    Config cfg;
    std::string error;
    const std::string json = R"({"backends": {"b": {"endpoint": "https://h", "bucket": "bk"}},
      "accounts": {"acct": {"repositories": {"r": {"backend": "b"}}}}, "access_keys": )" + keys + "}";
    return load_config(json, env, cfg, error) ? std::string("ok") : error;
  };
  CHECK(load(R"({"AKID1": {"secret_access_key_secret": "S", "scopes": [{"account": "acct", "repository": "r", "actions": ["read"]}]}})") == "ok");
  CHECK(load(R"({"AKID1": {"secret_access_key_secret": "MISSING", "scopes": []}})") ==
        "access_keys.AKID1.secret_access_key_secret: Worker secret \"MISSING\" is not set");
  CHECK(load(R"({"AK:1": {"secret_access_key_secret": "S", "scopes": []}})") ==
        "access_keys.AK:1: access key ids are 3-128 of A-Z a-z 0-9 _");
  CHECK(load(R"({"AKID1": {"secret_access_key_secret": "S", "scopes": [{"account": "nope", "repository": "r", "actions": ["read"]}]}})") ==
        "access_keys.AKID1.scopes[0].account: unknown account \"nope\"");
  CHECK(load(R"({"AKID1": {"secret_access_key_secret": "S", "scopes": [{"account": "acct", "repository": "q", "actions": ["read"]}]}})") ==
        "access_keys.AKID1.scopes[0].repository: unknown repository \"q\" (or \"*\")");
  CHECK(load(R"({"AKID1": {"secret_access_key_secret": "S", "scopes": [{"account": "acct", "repository": "*", "actions": ["admin"]}]}})") ==
        "access_keys.AKID1.scopes[0].actions: must be a non-empty array of \"read\", \"list\", \"write\", \"delete\"");
}

TEST_CASE("Request times: amz dates and HTTP dates parse exactly; impossible ones do not", "[auth]") {
  int64_t t = 0;
  CHECK(auth::parse_amz_date("20130524T000000Z", t));
  CHECK(t == k20130524);
  CHECK_FALSE(auth::parse_amz_date("20130524T000000", t));
  CHECK_FALSE(auth::parse_amz_date("20130229T000000Z", t));
  CHECK(auth::parse_amz_date("20120229T000000Z", t));
  CHECK(auth::parse_http_date("Tue, 27 Mar 2007 19:36:42 +0000", t));
  CHECK(t == k20070327);
  CHECK(auth::parse_http_date("Tue, 27 Mar 2007 19:36:42 GMT", t));
  CHECK_FALSE(auth::parse_http_date("Tue, 27 Mrz 2007 19:36:42 GMT", t));
  CHECK_FALSE(auth::parse_http_date("Tue, 27 Mar 2007 25:36:42 GMT", t));
  CHECK_FALSE(auth::parse_http_date("Tue, 27 Mar 2007 19:36:42 +0100", t));  // GMT only, in either spelling
  CHECK_FALSE(auth::parse_http_date("Tue, 27 Mar 2007 19:36:42 +00000", t));
  CHECK_FALSE(auth::parse_http_date("Fri, 30 Feb 2007 19:36:42 +0000", t));
}
