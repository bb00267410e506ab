// Loading the "access_keys" section: {"ID": {"secret_access_key_secret": "WORKER_SECRET_NAME",
//   "scopes": [{"account": "a", "repository": "r" | "*", "prefix": "p/", "actions": ["read", "list", ...]}]}}
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "worker/config/config.h"

namespace s3p {

// `cfg` must already hold the accounts (scopes are checked against them). On success `out` is sorted by id.
bool load_access_keys(const nlohmann::json& root, const Env& env, const Config& cfg, std::vector<AccessKey>& out,
                      std::string& error);

}  // namespace s3p
