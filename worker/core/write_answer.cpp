#include "worker/core/write_answer.h"

#include "worker/core/object_op.h"
#include "worker/s3/xml.h"

namespace s3p {

bool passes_through_write(std::string_view name) {
  static constexpr std::string_view kAllowed[] = {"etag", "x-amz-version-id", "x-amz-server-side-encryption",
                                                  "x-amz-expiration"};
  for (auto a : kAllowed)
    if (name == a) return true;
  return starts_with(name, "x-amz-checksum-");
}

OpStep write_failure(const FetchResult& r, bool flat) {
  OpStep step;
  if (backend_failure(r, step)) return step;
  const std::string code = r.body.empty() ? "" : xml::error_code_of(r.body);
  const std::string detail = "backend " + std::to_string(r.status) + (code.empty() ? "" : " " + code);
  if (code == "NoSuchBucket") return missing_backend_bucket(flat, detail);
  if (code == "XAmzContentSHA256Mismatch") return OpStep::fail(errors::XAmzContentSHA256Mismatch, detail);
  if (code == "BadDigest") return OpStep::fail(errors::BadDigest, detail);
  if (code == "InvalidDigest") return OpStep::fail(errors::InvalidDigest, detail);
  if (code == "EntityTooLarge") return OpStep::fail(errors::EntityTooLarge, detail);
  switch (r.status) {
    case 403: return OpStep::fail(errors::AccessDenied, detail);
    case 404: return OpStep::fail(errors::NoSuchKey, detail);
    case 411: return OpStep::fail(errors::MissingContentLength, detail);
    case 412: return OpStep::fail(errors::PreconditionFailed, detail);
    case 400: return OpStep::fail(errors::InvalidRequest, detail);
    default: return OpStep::fail(errors::BadGateway, detail);
  }
}

}  // namespace s3p
