// Authorization: what a caller (an access key, or anonymous when null) may do. Pure decisions over the config,
// taken before any backend or STS work, so that a denied request costs no subrequest.
//   - A public repository may be read and listed by anyone.
//   - A key's scopes grant permissions on an account's repository (or all of them) under a key prefix.
//   - A read-only repository takes no write or delete, whatever a scope says.
#pragma once
#include <string_view>

#include "worker/config/config.h"

namespace s3p::auth {

// May `caller` do `perm` on `key` (the client's key inside the repository; for kPermList, the listing prefix)?
bool allows(const AccessKey* caller, const Account& account, const Repository& repo, Permission perm,
            std::string_view key);

// Does the repository exist for `caller` at all: some key or listing in it is open to them? (Account listings
// show such repositories; others stay invisible.)
bool can_see(const AccessKey* caller, const Account& account, const Repository& repo);

// May `caller` delete anything at all in the account: some scope grants delete on a repository that takes
// writes? (DeleteObjects asks before it reads its body.)
bool may_delete_in(const AccessKey* caller, const Account& account);

// Does any repository of the account exist for `caller`? (ListBuckets, HeadBucket.)
bool can_see(const AccessKey* caller, const Account& account);

}  // namespace s3p::auth
