#include "worker/auth/authorize.h"

#include "worker/http/headers.h"

namespace s3p::auth {
namespace {

bool scope_covers(const Scope& s, const Account& account, const Repository& repo) {
  return s.account == account.name && (s.repository == "*" || s.repository == repo.name);
}

}  // namespace

bool allows(const AccessKey* caller, const Account& account, const Repository& repo, Permission perm,
            std::string_view key) {
  const bool modifies = perm == kPermWrite || perm == kPermDelete;
  if (modifies && repo.read_only) return false;
  if (!modifies && repo.public_read) return true;
  if (!caller) return false;
  for (const Scope& s : caller->scopes)
    if (scope_covers(s, account, repo) && (s.permissions & perm) && starts_with(key, s.prefix)) return true;
  return false;
}

bool can_see(const AccessKey* caller, const Account& account, const Repository& repo) {
  if (repo.public_read) return true;
  if (!caller) return false;
  for (const Scope& s : caller->scopes)
    if (scope_covers(s, account, repo)) return true;
  return false;
}

bool may_delete_in(const AccessKey* caller, const Account& account) {
  if (!caller) return false;
  for (const Repository& r : account.repositories)
    if (!r.read_only)
      for (const Scope& s : caller->scopes)
        if (scope_covers(s, account, r) && (s.permissions & kPermDelete)) return true;
  return false;
}

bool can_see(const AccessKey* caller, const Account& account) {
  for (const Repository& r : account.repositories)
    if (can_see(caller, account, r)) return true;
  return false;
}

}  // namespace s3p::auth
