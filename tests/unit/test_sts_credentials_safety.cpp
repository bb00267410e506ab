// STS credentials end up in header values (Authorization's Credential=, x-amz-security-token): whatever an STS
// answer holds, parsed credentials are single printable tokens, or the answer is unparseable (worker/creds).
#include <catch2/catch.hpp>

#include <string>

#include "worker/creds/sts_response.h"

using s3p::parse_sts_response;
using s3p::StsResponse;

namespace {
std::string answer(const std::string& akid, const std::string& secret, const std::string& token) {
  return "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>" + akid +
         "</AccessKeyId><SecretAccessKey>" + secret + "</SecretAccessKey><SessionToken>" + token +
         "</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials>"
         "</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>";
}
}  // namespace

TEST_CASE("STS credentials with a line break, control or non-ASCII byte inside are unparseable", "[sts]") {
  for (const std::string& token : {std::string("AQoD&#13;&#10;x-amz-evil: 1"), std::string("AQoD\nx"), std::string("AQ oD"),
                                   std::string("AQoD\xC3\xA9"), std::string("AQoD&#127;")}) {
    INFO(token);
    CHECK(parse_sts_response(answer("ASIAEXAMPLE", "secret/KEY+x=", token)).kind == StsResponse::Kind::Unparseable);
    CHECK(parse_sts_response(answer("ASIA\nEXAMPLE", "secret", "tok")).kind == StsResponse::Kind::Unparseable);
    CHECK(parse_sts_response(answer("ASIAEXAMPLE", "sec ret", "tok")).kind == StsResponse::Kind::Unparseable);
  }
}

TEST_CASE("STS credentials surrounded by whitespace (pretty-printed XML) are trimmed", "[sts]") {
  StsResponse r = parse_sts_response(answer("\n  ASIAEXAMPLE\n", " secret/KEY+x= ", "\n\tAQoDYXdz+IEXAMPLE==\n  "));
  REQUIRE(r.kind == StsResponse::Kind::Credentials);
  CHECK(r.creds.access_key_id == "ASIAEXAMPLE");
  CHECK(r.creds.secret_access_key == "secret/KEY+x=");
  CHECK(r.creds.session_token == "AQoDYXdz+IEXAMPLE==");
}
