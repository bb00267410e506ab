#include "worker/core/cors.h"

namespace s3p {

namespace {

bool all_public(const Account& a) {
  for (const auto& r : a.repositories)
    if (!r.public_read) return false;
  return true;
}

}  // namespace

CorsPolicy cors_policy(const Namespace& ns, const Route& route) {
  if (route.kind == Route::Kind::Root) {
    // A registry's accounts are not all known here: the service listing may show a private one.
    if (ns.config().registry.enabled) return CorsPolicy::Allowlist;
    bool any_private = false;
    ns.for_each_account([&](const Account& a) { any_private = any_private || !all_public(a); });
    return any_private ? CorsPolicy::Allowlist : CorsPolicy::Anyone;
  }
  const Account* account = ns.find_account(route.account);
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
