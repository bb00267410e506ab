// Cross-origin reads: "*" for public data, an exact allowlist (with Vary: Origin) for anything private.
#include <catch2/catch.hpp>

#include "worker/config/config.h"
#include "worker/core/cors.h"

using namespace s3p;

namespace {

Config load(const std::string& extra) {
  Config cfg;
  std::string error;
  REQUIRE(load_config(R"({"backends": {"b": {"endpoint": "https://h", "bucket": "bk"}},
    "accounts": {"open": {"repositories": {"p": {"backend": "b", "public": true}}},
                 "mixed": {"repositories": {"p": {"backend": "b", "public": true}, "s": {"backend": "b"}}}})" + extra + "}",
                      {}, cfg, error));
  return cfg;
}

Route route(std::string_view path) {
  Route r;
  REQUIRE(parse_route(path, r) == RouteError::None);
  return r;
}

}  // namespace

TEST_CASE("cors: what counts as private") {
  const Config cfg = load("");
  CHECK(cors_policy(cfg, route("/open/p/k")) == CorsPolicy::Anyone);
  CHECK(cors_policy(cfg, route("/open")) == CorsPolicy::Anyone);
  CHECK(cors_policy(cfg, route("/mixed/p/k")) == CorsPolicy::Anyone);
  CHECK(cors_policy(cfg, route("/mixed/s/k")) == CorsPolicy::Allowlist);
  CHECK(cors_policy(cfg, route("/mixed")) == CorsPolicy::Allowlist);  // its listing can show s
  CHECK(cors_policy(cfg, route("/")) == CorsPolicy::Allowlist);       // so can ListBuckets
  CHECK(cors_policy(cfg, route("/nowhere/x")) == CorsPolicy::Anyone);
}

TEST_CASE("cors: the allowlist is exact, named back, and varies by Origin") {
  const Config cfg = load(R"(, "cors_origins": ["https://app.example.org", "http://127.0.0.1:8080"])");
  const std::string ok = "https://app.example.org", other = "https://evil.example", sub = "https://app.example.org.evil";
  Headers h;
  CHECK(append_cors(h, CorsPolicy::Allowlist, &ok, &cfg));
  CHECK(*find_header(h, "access-control-allow-origin") == ok);
  CHECK(*find_header(h, "vary") == "Origin");
  for (const std::string* o : {&other, &sub, static_cast<const std::string*>(nullptr)}) {
    Headers refused;
    CHECK_FALSE(append_cors(refused, CorsPolicy::Allowlist, o, &cfg));
    CHECK(find_header(refused, "access-control-allow-origin") == nullptr);
    CHECK(*find_header(refused, "vary") == "Origin");
  }
  Headers pub;
  CHECK(append_cors(pub, CorsPolicy::Anyone, &other, &cfg));
  CHECK(*find_header(pub, "access-control-allow-origin") == "*");
  CHECK(find_header(pub, "access-control-allow-credentials") == nullptr);
}

TEST_CASE("cors: config refuses what is not an exact origin") {
  for (const char* bad : {R"("*")", R"("https://a.example/path")", R"("app.example.org")", R"("https://*.example.org")",
                          R"("ftp://a.example")", R"(7)"}) {
    CAPTURE(bad);
    Config cfg;
    std::string error;
    CHECK_FALSE(load_config(std::string(R"({"backends": {"b": {"endpoint": "https://h", "bucket": "bk"}},
      "accounts": {"acct": {"repositories": {"r": {"backend": "b"}}}}, "cors_origins": [)") + bad + "]}", {}, cfg, error));
    CAPTURE(error);
    CHECK(error.find("cors_origins[0]") != std::string::npos);
  }
}
