#include "worker/ops/write_answer.h"

#include "worker/ops/backend_op.h"
#include "worker/s3/xml.h"

namespace s3p {

bool passes_through_write(std::string_view name) {
  static constexpr std::string_view kAllowed[] = {"etag", "x-amz-version-id", "x-amz-server-side-encryption",
                                                  "x-amz-expiration",
                                                  "x-amz-server-side-encryption-customer-algorithm",
                                                  "x-amz-server-side-encryption-customer-key-md5"};
  for (auto a : kAllowed)
    if (name == a) return true;
  return starts_with(name, "x-amz-checksum-");
}

OpStep write_failure(const FetchResult& r, bool flat) {
  OpStep step;
  if (backend_failure(r, step)) return step;
  return write_error(r.status, r.body.empty() ? "" : xml::error_code_of(r.body), flat);
}

OpStep write_error(uint32_t status, std::string_view code, bool flat) {
  const std::string detail = "backend " + std::to_string(status) + (code.empty() ? "" : " " + std::string(code));
  if (code == "NoSuchBucket") return missing_backend_bucket(flat, detail);
  if (OpStep refused; backend_refused_credentials(code, detail, refused)) return refused;
  if (code == "XAmzContentSHA256Mismatch") return OpStep::fail(errors::XAmzContentSHA256Mismatch, detail);
  if (code == "BadDigest") return OpStep::fail(errors::BadDigest, detail);
  if (code == "InvalidDigest") return OpStep::fail(errors::InvalidDigest, detail);
  if (code == "EntityTooLarge") return OpStep::fail(errors::EntityTooLarge, detail);
  if (code == "EntityTooSmall") return OpStep::fail(errors::EntityTooSmall, detail);
  if (code == "NoSuchUpload") return OpStep::fail(errors::NoSuchUpload, detail);
  if (code == "InvalidPart") return OpStep::fail(errors::InvalidPart, detail);
  if (code == "InvalidPartOrder") return OpStep::fail(errors::InvalidPartOrder, detail);
  if (code == "MalformedXML") return OpStep::fail(errors::MalformedXML, detail);
  if (code == "InvalidArgument") return OpStep::fail(errors::InvalidArgument, detail);
  if (code == "InternalError" || code == "SlowDown" || code == "ServiceUnavailable")
    return OpStep::fail(backend_fault(errors::ServiceUnavailable, detail));
  switch (status) {
    case 403: return OpStep::fail(errors::AccessDenied, detail);
    case 404: return OpStep::fail(errors::NoSuchKey, detail);
    case 411: return OpStep::fail(errors::MissingContentLength, detail);
    case 412: return OpStep::fail(errors::PreconditionFailed, detail);
    case 400: return OpStep::fail(errors::InvalidRequest, detail);
    default: return OpStep::fail(errors::BadGateway, detail);
  }
}

}  // namespace s3p
