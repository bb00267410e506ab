#include "worker/ops/write_answer.h"

#include "worker/dialect/dialect.h"
#include "worker/ops/backend_op.h"
#include "worker/s3/backend_errors.h"
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

OpStep write_failure(const Backend& b, const FetchResult& r, bool flat) {
  OpStep step;
  if (backend_failure(r, step)) return step;
  const dialect::Classified c = dialect::classify_answer(b, r);
  return backend_error_answer(c.error, BackendCallKind::Write, flat, s3::error_detail(r.status, c.code));
}

OpStep write_error(uint32_t status, std::string_view code, bool flat) {
  return backend_error_answer(s3::classify_error(status, code), BackendCallKind::Write, flat,
                              s3::error_detail(status, code));
}

}  // namespace s3p
