// OIDC discovery fetches {issuer}/.well-known/openid-configuration and then the jwks_uri it names; an issuer with
// a path ("https://host/oidc") must serve both documents under that path, and jwks_uri must point at the path the
// JWKS is actually served from.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "federation_fixture.h"
#include "worker/core/engine.h"

using namespace s3p;

namespace {

std::string config_with_issuer(const std::string& issuer) {
  std::string cfg = fedtest::config();
  const std::string from = "https://proxy.example.org/";
  cfg.replace(cfg.find(from), from.size(), issuer);
  return cfg;
}

Action get(Engine& e, const std::string& path) {
  RequestHead h;
  h.method = "GET";
  h.path = path;
  const uint32_t id = e.begin(std::move(h), 0);
  Action a = e.next(id, 0);
  e.release(id);
  return a;
}

}  // namespace

TEST_CASE("an issuer with a path serves discovery and JWKS under that path, with a consistent jwks_uri",
          "[federation][oidc]") {
  for (const std::string issuer : {"https://proxy.example.org/oidc", "https://proxy.example.org/a/b/"}) {
    INFO(issuer);
    Engine e;
    e.init(config_with_issuer(issuer), fedtest::env(), "oidc issuer path test seed");
    REQUIRE(e.configured());
    std::string base = issuer.substr(issuer.find('/', 8));
    while (base.back() == '/') base.pop_back();

    const Action conf = get(e, base + "/.well-known/openid-configuration");
    REQUIRE(conf.kind == ActionKind::Respond);
    REQUIRE(conf.respond.status == 200);
    const auto doc = nlohmann::json::parse(conf.respond.body.bytes, nullptr, false);
    REQUIRE_FALSE(doc.is_discarded());
    const std::string jwks_uri = doc["jwks_uri"];
    CHECK(doc["issuer"] == issuer.substr(0, issuer.find_last_not_of('/') + 1));
    const std::string jwks_path = jwks_uri.substr(jwks_uri.find('/', 8));
    CHECK(jwks_path == base + "/.well-known/jwks.json");

    const Action jwks = get(e, jwks_path);
    REQUIRE(jwks.kind == ActionKind::Respond);
    CHECK(jwks.respond.status == 200);
    CHECK(jwks.respond.body.bytes == e.config().federation.jwks_json);

    // The root paths are not the issuer's documents.
    CHECK(get(e, "/.well-known/openid-configuration").respond.status != 200);
  }
}
