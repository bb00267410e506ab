// The backend answer to a copy (CopyObject's CopyObjectResult, UploadPartCopy's CopyPartResult), re-rendered
// from its ETag, LastModified and checksums. A copy can fail after the 200 was sent: an <Error> body is an error.
// On a backend whose copy takes no properties (capability copy_properties false), a REPLACE copy's content-* and
// cache-control are set by a second step, If-Match the copy's ETag; the answer is that step's.
#pragma once
#include <optional>

#include "worker/ops/single_request_op.h"

namespace s3p {

class CopyResultOp : public SingleRequestOp {
 public:
  CopyResultOp(std::string_view name, std::string_view root, const Backend& b, BackendCall call, bool flat,
               std::optional<Headers> then_properties = std::nullopt)
      : SingleRequestOp(name, b, std::move(call), flat), root_(root), then_properties_(std::move(then_properties)) {}
  OpStep on_response(FetchResult&& r) override;

 private:
  std::string_view root_;
  std::optional<Headers> then_properties_;  // the properties the SetProperties step sets, until it is sent
};

}  // namespace s3p
