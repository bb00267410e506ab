// The backend answer to a copy (CopyObject's CopyObjectResult, UploadPartCopy's CopyPartResult), re-rendered
// from its ETag, LastModified and checksums. A copy can fail after the 200 was sent: an <Error> body is an error.
#pragma once
#include "worker/ops/single_request_op.h"

namespace s3p {

class CopyResultOp : public SingleRequestOp {
 public:
  CopyResultOp(std::string_view name, std::string_view root, const Backend& b, BackendCall call, bool flat)
      : SingleRequestOp(name, b, std::move(call), flat), root_(root) {}
  OpStep on_response(FetchResult&& r) override;

 private:
  std::string_view root_;
};

}  // namespace s3p
