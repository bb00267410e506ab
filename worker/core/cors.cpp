#include "worker/core/cors.h"

namespace s3p {

namespace {

bool all_public(const Account& a) {
  for (const auto& r : a.repositories)
    if (!r.public_read) return false;
  return true;
}

}  // namespace

CorsPolicy cors_policy(const Config& cfg, const Route& route) {
  if (route.kind == Route::Kind::Root) {
    for (const auto& a : cfg.accounts)
      if (!all_public(a)) return CorsPolicy::Allowlist;
    return CorsPolicy::Anyone;
  }
  const Account* account = cfg.find(route.account);
  if (!account) return CorsPolicy::Anyone;  // nothing there to protect
  if (route.kind == Route::Kind::Account) return all_public(*account) ? CorsPolicy::Anyone : CorsPolicy::Allowlist;
  const Repository* repo = account->flat ? &account->repositories.front() : account->find(route.repo);
  return !repo || repo->public_read ? CorsPolicy::Anyone : CorsPolicy::Allowlist;
}

bool cors_allows(CorsPolicy policy, const std::string* origin, const Config* cfg) {
  if (policy == CorsPolicy::Anyone) return true;
  if (!origin || !cfg) return false;
  for (const auto& allowed : cfg->cors_origins)
    if (*origin == allowed) return true;
  return false;
}

bool append_cors(Headers& out, CorsPolicy policy, const std::string* origin, const Config* cfg) {
  if (policy == CorsPolicy::Anyone) {
    out.push_back({"access-control-allow-origin", "*"});
    return true;
  }
  out.push_back({"vary", "Origin"});
  if (!cors_allows(policy, origin, cfg)) return false;
  out.push_back({"access-control-allow-origin", *origin});
  return true;
}

}  // namespace s3p
