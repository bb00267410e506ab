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

}  // namespace s3p::dialect
