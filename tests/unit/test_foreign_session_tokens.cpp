// A request signed with the caller's own AWS temporary credentials (an ASIA key and AWS's session token, as SSO
// and instance roles leave in people's environments) is not the proxy's session: it authenticates as any unknown
// key does — served as anonymous under unknown_keys_as_anonymous, else InvalidAccessKeyId — whether or not the
// deployment runs its own STS. Only a token in the proxy's own form is opened (and refused when it does not open).
#include <catch2/catch.hpp>

#include "tests/unit/engine_fixture.h"
#include "worker/sign/sigv4.h"

using namespace s3p;

namespace {

std::string config(bool anonymous, bool sts) {
  return std::string(R"({"unknown_keys_as_anonymous": )") + (anonymous ? "true" : "false") +
         (sts ? R"(, "sts": {"session_key_secret": "STS_KEY"})" : "") + R"(,
    "backends": {"b": {"endpoint": "http://127.0.0.1:9000", "bucket": "bb"}},
    "accounts": {"acct": {"repositories": {"open": {"backend": "b", "public": true, "cache": {"enabled": false}}}}}})";
}

// GET /acct/open/k signed by an ASIA key with `token` as x-amz-security-token: the engine's first action.
Action first_action(const std::string& cfg, const std::string& token) {
  Engine e;
  e.init(cfg, {{"STS_KEY", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}}, enginetest::kSeed);
  INFO(e.config_error());
  REQUIRE(e.configured());
  sigv4::SigningKeyCache keys;
  std::vector<sigv4::Header> h{{"host", "p"}, {"x-amz-content-sha256", std::string(sigv4::kEmptyPayloadHash)},
                               {"x-amz-security-token", token}};
  sigv4::sign_request("GET", "/acct/open/k", "", h, sigv4::kEmptyPayloadHash,
                      {"ASIAEXAMPLEFOREIGN01", "their own AWS secret", ""}, "us-east-1", "s3", 0, keys);
  RequestHead head;
  head.method = "GET";
  head.path = "/acct/open/k";
  for (auto& x : h) head.headers.push_back({x.name, x.value});
  head.random = 3;
  const uint32_t id = e.begin(std::move(head), 0);
  return e.next(id, 0);
}

const std::string kAwsToken = "IQoJb3JpZ2luX2VjEFoaCXVzLWVhc3QtMSJHMEUCIQDexampleAWSsessiontoken//////////wEaDDEy";

}  // namespace

TEST_CASE("foreign session tokens: the caller's own AWS session is an unknown key, not an InvalidToken") {
  for (bool sts : {false, true}) {
    INFO("sts section: " << sts);
    Action a = first_action(config(true, sts), kAwsToken);
    CHECK(a.kind == ActionKind::Fetch);  // public data, served as anonymous
    a = first_action(config(false, sts), kAwsToken);
    REQUIRE(a.kind == ActionKind::Respond);
    CHECK(a.respond.status == 403);
    CHECK(enginetest::element(a.respond.body.bytes, "Code") == "InvalidAccessKeyId");
  }
  // A token in the proxy's own form that does not open is refused as such.
  const Action ours = first_action(config(true, true), "S3P1" + std::string(60, 'A'));
  CHECK(ours.kind != ActionKind::Fetch);
}
