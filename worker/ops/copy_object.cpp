#include "worker/ops/copy_object.h"

#include "worker/dialect/dialect.h"
#include "worker/ops/copy_from.h"
#include "worker/ops/copy_result.h"
#include "worker/ops/put_object.h"

namespace s3p {

namespace {

// A REPLACE copy's properties for a backend whose copy cannot take them (capability copy_properties false).
std::optional<Headers> properties_step(const OpContext& ctx) {
  if (dialect::of(*ctx.repo->backend).capabilities().copy_properties) return std::nullopt;
  const std::string* directive = find_header(ctx.headers, "x-amz-metadata-directive");
  if (!directive || *directive != "REPLACE") return std::nullopt;
  Headers out;
  for (auto& h : PutObjectOp::forwarded_headers(ctx.headers))  // as a PutObject forwards them (checked values)
    if (h.name == "content-type" || h.name == "content-encoding" || h.name == "content-language" ||
        h.name == "content-disposition" || h.name == "cache-control")
      out.push_back(std::move(h));
  return out;
}

}  // namespace

Planned plan_copy_object(OpContext& ctx) {
  BackendCall call;
  if (Failure refusal; !plan_copy_call(ctx, call, refusal)) return Planned::refuse(std::move(refusal));
  for (auto& h : forwarded_copy_headers(ctx.headers)) call.headers.push_back(std::move(h));
  call.changes_object = true;
  return Planned::run(std::make_unique<CopyResultOp>("CopyObject", "CopyObjectResult", *ctx.repo->backend,
                                                     std::move(call), ctx.flat(), properties_step(ctx)));
}

}  // namespace s3p
