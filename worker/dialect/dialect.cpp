#include "worker/dialect/dialect.h"

#include "worker/dialect/azure_dialect.h"
#include "worker/dialect/gcs_dialect.h"
#include "worker/dialect/s3_dialect.h"

namespace s3p::dialect {

const Dialect& of(const Backend& b) {
  switch (b.dialect) {
    case BackendDialect::S3: return s3();
    case BackendDialect::Azure: return azure();
    case BackendDialect::Gcs: return gcs();
  }
  return s3();
}

Classified classify_answer(const Backend& b, const FetchResult& r) {
  Classified c = of(b).classify(r);
  if (b.auth == BackendAuth::Sas && c.error == BackendError::CredentialsRefused) c.error = BackendError::Forbidden;
  return c;
}

}  // namespace s3p::dialect
