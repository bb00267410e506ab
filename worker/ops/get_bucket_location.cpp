#include "worker/ops/get_bucket_location.h"

#include "worker/auth/authorize.h"
#include "worker/s3/xml.h"

namespace s3p {

Planned plan_get_bucket_location(OpContext& ctx) {
  if (!auth::can_see(ctx.caller, *ctx.account))
    return Planned::refuse(errors::AccessDenied, "no repository of the account is visible");
  return Planned::xml(xml::bucket_location());
}

}  // namespace s3p
