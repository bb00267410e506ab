// Listing plans: which repositories a listing walks, in which order, and where it starts.
#include <catch2/catch.hpp>

#include "worker/ops/list_objects.h"
#include "worker/s3/continuation_token.h"

using namespace s3p;

namespace {

Config make_config() {
  Config cfg;
  auto b = std::make_unique<Backend>();
  b->name = "b";
  b->bucket = "bucket";
  const Backend* backend = b.get();
  cfg.backends.emplace("b", std::move(b));
  Account acct;
  acct.name = "acct";
  // Sorted by name, as load_config leaves them; "a-b/" sorts before "a/" in key order.
  for (const char* name : {"a", "a-b", "zeta"}) {
    Repository r;
    r.name = name;
    r.backend = backend;
    r.prefix = std::string(name) + "-prefix/";
    acct.repositories.push_back(std::move(r));
  }
  cfg.accounts.push_back(std::move(acct));
  return cfg;
}

const crypto::SivKeys kKeys = crypto::siv_keys("test key for listing plans, 32+ bytes");

ListPlan plan_listing(const Account& account, const ListRequest& req) { return s3p::plan_listing(account, req, kKeys); }

// A token as the proxy would have handed it out for the walk of account "acct" (no prefix, no delimiter).
std::string walk_token(std::string_view plaintext) { return list_token::seal(kKeys, {"acct", "", ""}, plaintext); }

ListRequest req(std::vector<http::QueryParam> params) {
  Parsed<ListRequest> r = parse_list_request(params);
  REQUIRE(r.ok);
  return r.value;
}

std::vector<std::string> names(const ListPlan& p) {
  std::vector<std::string> out;
  for (auto* r : p.repos) out.push_back(r->name);
  return out;
}

}  // namespace

TEST_CASE("listing parameters are validated", "[list]") {
  Parsed<ListRequest> r = parse_list_request({{"list-type", "2", true}, {"max-keys", "5000", true}});
  REQUIRE(r.ok);
  CHECK(r.value.max_keys == 1000);  // clamped like S3
  for (std::vector<http::QueryParam> bad : std::vector<std::vector<http::QueryParam>>{
           {{"max-keys", "-1", true}}, {{"max-keys", "", true}}, {{"list-type", "1", true}}, {{"encoding-type", "base64", true}}}) {
    Parsed<ListRequest> p = parse_list_request(bad);
    REQUIRE_FALSE(p.ok);
    CHECK(p.failure.error == &errors::InvalidArgument);
  }
  Parsed<ListRequest> u = parse_list_request({{"versions", "", false}});
  REQUIRE_FALSE(u.ok);
  CHECK(u.failure.error == &errors::NotImplemented);  // a sub-resource we do not implement
  CHECK(parse_list_request({{"x-id", "ListObjectsV2", true}, {"fetch-owner", "true", true}}).ok);
}

TEST_CASE("a prefix inside one repository lists that repository's backend prefix", "[list]") {
  Config cfg = make_config();
  ListPlan p = plan_listing(cfg.accounts[0], req({{"list-type", "2", true}, {"prefix", "a/x/y", true}}));
  REQUIRE(p.kind == ListPlan::Kind::Backend);
  CHECK(names(p) == std::vector<std::string>{"a"});
  CHECK(p.rest == "x/y");
  ListPlan none = plan_listing(cfg.accounts[0], req({{"prefix", "nope/x", true}}));
  CHECK(none.kind == ListPlan::Kind::Local);
  CHECK(none.document.find("<Contents>") == std::string::npos);
}

TEST_CASE("a delimiter listing at the account level is answered locally", "[list]") {
  Config cfg = make_config();
  ListPlan p = plan_listing(cfg.accounts[0], req({{"list-type", "2", true}, {"delimiter", "/", true}, {"prefix", "a", true}}));
  REQUIRE(p.kind == ListPlan::Kind::Local);
  // Key order: "a-b/" < "a/".
  auto first = p.document.find("<Prefix>a-b/</Prefix>");
  auto second = p.document.find("<Prefix>a/</Prefix>");
  CHECK(first != std::string::npos);
  CHECK(second != std::string::npos);
  CHECK(first < second);
  CHECK(p.document.find("zeta") == std::string::npos);
}

TEST_CASE("a recursive listing walks matching repositories in key order and resumes from tokens and keys", "[list]") {
  Config cfg = make_config();
  const Account& a = cfg.accounts[0];
  ListPlan all = plan_listing(a, req({{"list-type", "2", true}}));
  CHECK(names(all) == std::vector<std::string>{"a-b", "a", "zeta"});
  CHECK(all.index == 0);

  ListPlan tok = plan_listing(a, req({{"list-type", "2", true}, {"continuation-token", walk_token("a/backend-token/with/slashes"), true}}));
  CHECK(tok.index == 1);
  CHECK(tok.backend_token == "backend-token/with/slashes");

  // A sealed token for a repository this listing does not walk, and an unsealed one.
  for (const std::string& t : {walk_token("zz/x"), std::string("a/backend-token")}) {
    ListPlan bad = plan_listing(a, req({{"list-type", "2", true}, {"continuation-token", t, true}}));
    CHECK(bad.kind == ListPlan::Kind::Invalid);
    CHECK(bad.error->message == errors::InvalidContinuationToken.message);
  }

  ListPlan after = plan_listing(a, req({{"list-type", "2", true}, {"start-after", "a/k1", true}}));
  CHECK(after.index == 1);
  CHECK(after.backend_start == "a-prefix/k1");

  ListPlan between = plan_listing(a, req({{"marker", "a/", true}}));  // V1: after "a/" itself
  CHECK(between.index == 1);
  CHECK(between.backend_start == "a-prefix/");

  ListPlan gap = plan_listing(a, req({{"list-type", "2", true}, {"start-after", "b", true}}));
  CHECK(gap.index == 2);  // "b" < "zeta/"
  CHECK(gap.backend_start.empty());

  ListPlan past = plan_listing(a, req({{"list-type", "2", true}, {"start-after", "zzz", true}}));
  CHECK(past.kind == ListPlan::Kind::Local);

  ListPlan partial = plan_listing(a, req({{"list-type", "2", true}, {"prefix", "ze", true}}));
  CHECK(names(partial) == std::vector<std::string>{"zeta"});
}

TEST_CASE("a non-slash delimiter needs a prefix inside a repository", "[list]") {
  Config cfg = make_config();
  CHECK(plan_listing(cfg.accounts[0], req({{"delimiter", "-", true}})).kind == ListPlan::Kind::Invalid);
  CHECK(plan_listing(cfg.accounts[0], req({{"delimiter", "-", true}, {"prefix", "a/", true}})).kind == ListPlan::Kind::Backend);
}

TEST_CASE("V1: a marker the proxy sealed resumes at its repository and backend marker; any other marker is a key",
          "[list]") {
  const Config cfg = make_config();
  const Account& acct = cfg.accounts.front();
  // What ListOp hands out as NextMarker for a backend without start-after (Azure): "{repo}/{backend marker}".
  ListPlan p = plan_listing(acct, req({{"marker", walk_token("a-b/2!opaque-azure-marker"), true}}));
  REQUIRE(p.kind == ListPlan::Kind::Backend);
  CHECK(p.repos[p.index]->name == "a-b");
  CHECK(p.backend_token == "2!opaque-azure-marker");
  CHECK(p.backend_start.empty());
  CHECK(p.marker_sealed);
  // A key (S3's meaning of a marker) starts after that key; a token sealed for another listing is just a key too.
  p = plan_listing(acct, req({{"marker", "a/k", true}}));
  CHECK(p.repos[p.index]->name == "a");
  CHECK(p.backend_start == "a-prefix/k");
  CHECK_FALSE(p.marker_sealed);
  const std::string foreign = list_token::seal(kKeys, {"acct", "a/", ""}, "a/2!m");
  p = plan_listing(acct, req({{"marker", foreign, true}}));
  CHECK_FALSE(p.marker_sealed);
  CHECK(p.backend_token.empty());
}
