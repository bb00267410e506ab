#include "worker/ops/list_buckets.h"

#include <algorithm>

#include "worker/auth/authorize.h"
#include "worker/s3/xml.h"

namespace s3p {

// The accounts the caller can see: the static config's (each judged whole), and the registry's account list's —
// there an account shows when some repository of it is public or the caller's key has a scope in it, which the
// list says without reading every account's entry (a scope's repository may still be gone: listing it then finds
// nothing, as for any repository the caller cannot see).
Planned plan_list_buckets(OpContext& ctx) {
  std::vector<std::string> names;
  ctx.ns->for_each_account([&](const Account& a) {
    if (auth::can_see(ctx.caller, a)) names.push_back(a.name);
  });
  if (const std::vector<ListedAccount>* listed = ctx.ns->listed_accounts())
    for (const ListedAccount& a : *listed) {
      if (ctx.config.find(a.name)) continue;  // a static account of that name is the one served
      bool visible = a.has_public;
      if (ctx.caller)
        for (const Scope& s : ctx.caller->scopes) visible = visible || s.account == a.name;
      if (visible) names.push_back(a.name);
    }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return Planned::xml(xml::list_buckets(ctx.config.owner_id, names, "2024-01-01T00:00:00.000Z"));
}

}  // namespace s3p
