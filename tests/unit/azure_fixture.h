// An engine with two writable repositories of account "acct": "onazure" on an Azure backend (Shared Key, Azurite's
// account) and "ons3" on an S3 one, and a client that signs its requests with SigV4 (key AKIDTEST).
#pragma once
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "worker/core/engine.h"
#include "worker/sign/sigv4.h"

namespace azure_fixture {

using namespace s3p;

inline constexpr const char* kDevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

inline std::string config() {
  return R"({
    "backends": {
      "s3": {"endpoint": "http://127.0.0.1:9000", "bucket": "bb",
        "auth": {"type": "static", "access_key_id_secret": "BK_ID", "secret_access_key_secret": "BK_SECRET"}},
      "az": {"dialect": "azure", "endpoint": "http://127.0.0.1:10000/devstoreaccount1", "account": "devstoreaccount1",
        "container": "uploads", "auth": {"type": "shared_key", "account_key_secret": "AZ_KEY"}}},
    "access_keys": {"AKIDTEST": {"secret_access_key_secret": "KEY_SECRET", "scopes": [
      {"account": "acct", "repository": "*", "actions": ["read", "write"]}]}},
    "accounts": {"acct": {"repositories": {"onazure": {"backend": "az", "prefix": "p/"}, "ons3": {"backend": "s3"}}}}
  })";
}

struct Host {
  Engine engine;
  sigv4::SigningKeyCache keys;
  Host() {
    engine.init(config(), {{"KEY_SECRET", "test-secret"}, {"BK_ID", "BKID"}, {"BK_SECRET", "bk-secret"}, {"AZ_KEY", kDevKey}},
                "azure fixture test seed, 32 bytes");
    INFO(engine.config_error());
    REQUIRE(engine.configured());
  }
  uint32_t begin(const std::string& path, const std::string& query, const std::string& payload, std::vector<sigv4::Header> extra) {
    std::vector<sigv4::Header> h{{"host", "proxy.test"}, {"x-amz-content-sha256", payload}};
    for (auto& x : extra) h.push_back(x);
    sigv4::sign_request("PUT", path, query, h, payload, {"AKIDTEST", "test-secret", ""}, "us-east-1", "s3", 0, keys);
    RequestHead head;
    head.method = "PUT";
    head.path = path;
    head.query = query;
    for (auto& x : h) head.headers.push_back({x.name, x.value});
    head.has_body = true;
    head.random = 3;
    return engine.begin(std::move(head), 0);
  }
  Action first(const std::string& path, const std::string& payload, std::vector<sigv4::Header> extra, const std::string& query = "") {
    return engine.next(begin(path, query, payload, std::move(extra)), 0);
  }
};

}  // namespace azure_fixture
