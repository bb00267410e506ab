// What a request target or Host may not smuggle past routing (worker/route, worker/http): keys that are not UTF-8
// or hold NUL, Host names in any case or with a trailing dot, labels that are not host names, duplicated query
// parameters and oversized request heads.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "worker/http/uri.h"
#include "worker/route/route.h"

using s3p::parse_route;
using s3p::path_style;
using s3p::Route;
using s3p::RouteError;

TEST_CASE("keys must be UTF-8 without NUL: overlong, surrogate, truncated and stray bytes are InvalidURI", "[route]") {
  Route r;
  for (const char* bad : {"/a/repo/%C0%AE%C0%AE/x",     // overlong '.'
                          "/a/repo/%E0%80%AE",          // overlong, three bytes
                          "/a/repo/%ED%A0%80",          // a UTF-16 surrogate
                          "/a/repo/%F4%90%80%80",       // above U+10FFFF
                          "/a/repo/%E2%82",             // truncated sequence
                          "/a/repo/%80x",               // a stray continuation byte
                          "/a/repo/%FF",                // never valid
                          "/a/repo/a%00b",              // NUL: XML cannot carry it
                          "/a%00/repo/x",               // in the account too
                          "/a%C0%AF/repo/x"}) {
    INFO(bad);
    CHECK(parse_route(bad, r) == RouteError::BadEncoding);
  }
  for (const char* good : {"/a/repo/unicod%C3%A9-%D0%BA%D0%BB%D1%8E%D1%87.txt", "/a/repo/%F0%9F%98%80",
                           "/a/repo/a%0D%0Ab", "/a/repo/%EF%BF%BD", "/a/repo/back%5Cslash"}) {
    INFO(good);
    CHECK(parse_route(good, r) == RouteError::None);
  }
}

TEST_CASE("virtual-host style: the Host is matched without case, port or trailing dot", "[route]") {
  CHECK(path_style("demo-org.s3.test", "s3.test", "/r/k") == "/demo-org/r/k");
  CHECK(path_style("demo-org.s3.test:8787", "s3.test", "/r/k") == "/demo-org/r/k");
  CHECK(path_style("DEMO-ORG.S3.TEST", "s3.test", "/r/k") == "/demo-org/r/k");
  CHECK(path_style("demo-org.s3.test.", "s3.test", "/r/k") == "/demo-org/r/k");
  CHECK(path_style("demo-org.s3.test.:443", "s3.test", "/r/k") == "/demo-org/r/k");
  CHECK(path_style("s3.test", "s3.test", "/demo-org/r/k") == "/demo-org/r/k");
  CHECK(path_style("demo-org.s3.test.evil", "s3.test", "/r/k") == "/r/k");
  CHECK(path_style("demo-orgs3.test", "s3.test", "/r/k") == "/r/k");
}

TEST_CASE("virtual-host style: a label that is not a host name never becomes path structure", "[route]") {
  // A '/' or '%' in the Host would otherwise add path segments (or decode to them) ahead of the client's path.
  CHECK(path_style("demo-org/secret-data.s3.test", "s3.test", "/k") == "/demo-org%2Fsecret-data/k");
  CHECK(path_style("demo-org%2Fsecret.s3.test", "s3.test", "/k") == "/demo-org%252fsecret/k");
  CHECK(path_style("a?b.s3.test", "s3.test", "/k") == "/a%3Fb/k");
  Route r;
  REQUIRE(parse_route(path_style("demo-org/secret-data.s3.test", "s3.test", "/k"), r) == RouteError::None);
  CHECK(r.account == "demo-org/secret-data");
  CHECK(r.kind == Route::Kind::Object);
}

TEST_CASE("duplicate query parameter names are found (the first repeated one)", "[uri]") {
  std::vector<s3p::http::QueryParam> q;
  REQUIRE(s3p::http::parse_query("list-type=2&prefix=a&list-type=2", q));
  CHECK(s3p::http::duplicate_param(q) == "list-type");
  REQUIRE(s3p::http::parse_query("a&b=1&c", q));
  CHECK(s3p::http::duplicate_param(q).empty());
  REQUIRE(s3p::http::parse_query("X-Amz-Signature=1&x=1&X-Amz-Signature=2", q));
  CHECK(s3p::http::duplicate_param(q) == "X-Amz-Signature");
  REQUIRE(s3p::http::parse_query("a=1&A=1", q));
  CHECK(s3p::http::duplicate_param(q).empty());  // names are case-sensitive, as S3's are
}

TEST_CASE("the request head's size counts header names, values and the query", "[uri]") {
  std::vector<s3p::Header> hs = {{"host", "h"}, {"x-pad", std::string(100, 'p')}};
  CHECK(s3p::http::head_bytes(hs, "") == 4 + 1 + 5 + 100);
  CHECK(s3p::http::head_bytes(hs, "abc") == 110 + 3);
  CHECK(s3p::http::kMaxHeadBytes >= 8 * 1024);
}
