// The core's Shared Key signer (worker/sign/azure_shared_key.h) as a command, so that a node test can prove it
// against a live Azurite without a wasm export for it. One JSON request per stdin line:
//   {"method":"GET","account":"devstoreaccount1","key":"<base64>","path":"/devstoreaccount1/c/b",
//    "query":[["comp","list"]],"headers":[["x-ms-date","..."]]}
// one JSON answer per stdout line: {"authorization":"SharedKey ...","string_to_sign":"..."} or {"error":"..."}.
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "worker/http/headers.h"
#include "worker/http/uri.h"
#include "worker/sign/azure_shared_key.h"

using nlohmann::json;

namespace {

json sign(const json& in) {
  if (!in.is_object()) return {{"error", "not a JSON object"}};
  s3p::Headers headers;
  std::vector<s3p::http::QueryParam> query;
  for (const auto& h : in.value("headers", json::array()))
    headers.push_back({h.at(0).get<std::string>(), h.at(1).get<std::string>()});
  for (const auto& q : in.value("query", json::array()))
    query.push_back({q.at(0).get<std::string>(), q.at(1).get<std::string>(), true});
  const std::string method = in.value("method", ""), account = in.value("account", ""), path = in.value("path", "");
  std::string key;
  if (!s3p::azure::decode_account_key(in.value("key", ""), key)) return {{"error", "bad account key"}};
  const s3p::azure::SharedKeyRequest req{method, account, path, &query, &headers};
  std::string auth;
  if (!s3p::azure::authorization(req, key, auth)) return {{"error", "refused to sign"}};
  return {{"authorization", auth}, {"string_to_sign", s3p::azure::string_to_sign(req)}};
}

}  // namespace

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    const json in = json::parse(line, nullptr, false);
    std::cout << (in.is_discarded() ? json{{"error", "bad JSON"}} : sign(in)).dump() << std::endl;
  }
  return 0;
}
