#include "worker/ops/list_buckets.h"

#include "worker/auth/authorize.h"
#include "worker/s3/xml.h"

namespace s3p {

Planned plan_list_buckets(OpContext& ctx) {
  std::vector<std::string> names;
  names.reserve(ctx.config.accounts.size());
  for (const auto& a : ctx.config.accounts)
    if (auth::can_see(ctx.caller, a)) names.push_back(a.name);
  return Planned::xml(xml::list_buckets(ctx.config.owner_id, names, "2024-01-01T00:00:00.000Z"));
}

}  // namespace s3p
