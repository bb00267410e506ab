// Backend endpoints and regions: the authority goes into every backend URL and into the Host header SigV4 signs,
// the region into every credential scope of an Authorization header, so the config keeps them exactly as they will
// be sent, or refuses them (found by fuzz_config: a DEL byte in a host loaded).
#include <catch2/catch.hpp>

#include <string>

#include "worker/config/config.h"

namespace {

// The backend "b" of a minimal config with this endpoint (and `extra` fields): its authority, or "<refused: error>".
std::string authority_of(const std::string& endpoint, const std::string& extra = "") {
  std::string escaped;
  for (char c : endpoint) {
    if (static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
      escaped += buf;
    } else {
      escaped += c;
    }
  }
  const std::string json = R"({"backends": {"b": {"endpoint": ")" + escaped + R"(", "bucket": "bk")" + extra + R"(}},
    "accounts": {"acct": {"repositories": {"r": {"backend": "b", "prefix": "p/", "public": true}}}}})";
  s3p::Config cfg;
  std::string error;
  if (!s3p::load_config(json, {}, cfg, error)) return "<refused: " + error + ">";
  return cfg.backends.at("b")->authority;
}

}  // namespace

TEST_CASE("backend endpoints: host[:port] as fetch sends it, or refused", "[config]") {
  CHECK(authority_of("https://s3.example.org") == "s3.example.org");
  CHECK(authority_of("https://S3.Example.ORG/") == "s3.example.org");  // fetch lowercases the Host it signs
  CHECK(authority_of("http://127.0.0.1:9000") == "127.0.0.1:9000");
  CHECK(authority_of("http://minio_1:9000") == "minio_1:9000");         // compose-style service names
  CHECK(authority_of("https://s3.example.org:443") == "s3.example.org");  // default ports are not sent
  CHECK(authority_of("http://[::1]:9000") == "[::1]:9000");
  CHECK(authority_of("http://[fd00::a:1]") == "[fd00::a:1]");
  CHECK(authority_of("http://[FD00::A:1]:9000") == "[fd00::a:1]:9000");
  const std::string refused = "<refused: backends.b.endpoint: must be http(s)://host[:port]>";
  for (const std::string& bad :
       {std::string("https://s3\x7f" "example.org"), std::string("https://s3\texample.org"), std::string("https://s3\\x.org"),
        std::string("https://s3.ex\xc3\xa4mple.org"), std::string("https://user@s3.example.org"), std::string("https://s3.example.org/path"),
        std::string("https://s3.example.org:0"), std::string("https://s3.example.org:65536"), std::string("https://s3.example.org:9x"),
        std::string("https://s3.example.org:"), std::string("https://:9000"), std::string("http://[]:1"), std::string("http://[::1"),
        std::string("http://[::1]x"), std::string("http://[::g]"), std::string("https://"), std::string("ftp://s3.example.org")}) {
    INFO(bad);
    CHECK(authority_of(bad) == refused);
  }
}

TEST_CASE("regions: a name a header can carry, or refused", "[config]") {
  for (const char* ok : {"us-east-1", "auto", "garage", "eu_central"}) {
    INFO(ok);
    CHECK(authority_of("https://s3.example.org", std::string(R"(, "region": ")") + ok + "\"") == "s3.example.org");
  }
  for (const char* bad : {"", "us east", "us-east-1\\n", "r\\u00e9gion", "us/east"}) {
    INFO(bad);
    CHECK(authority_of("https://s3.example.org", std::string(R"(, "region": ")") + bad + "\"") ==
          "<refused: backends.b.region: must be a region name such as us-east-1>");
  }
}
