// The S3 operations the proxy answers, and the pure classifier that names one for a request:
// (method, route kind, query, headers) → one operation, or the S3 error S3 itself would give. The classifier
// decides *what* is asked, never *whether* it is allowed (the operation's planner does that, knowing the caller).
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "worker/http/headers.h"
#include "worker/http/uri.h"
#include "worker/route/route.h"
#include "worker/s3/failure.h"

namespace s3p {

enum class S3Operation : uint8_t {
  // Service and bucket (= account) level.
  ListBuckets,
  HeadBucket,
  GetBucketLocation,
  ListObjects,  // V1 and V2
  ListMultipartUploads,
  DeleteObjects,
  // Object level.
  GetObject,
  HeadObject,
  PutObject,
  CopyObject,
  DeleteObject,
  CreateMultipartUpload,
  UploadPart,
  UploadPartCopy,
  CompleteMultipartUpload,
  AbortMultipartUpload,
  ListParts,
};

std::string_view operation_name(S3Operation op);

// The parameters an operation accepts besides the ones it parses itself; any other makes the request a
// sub-resource we do not implement (501), never silently the operation without it. Null = the operation reads
// its whole query itself (listings, GetObject's response-* overrides).
const std::vector<std::string_view>* accepted_params(S3Operation op);

// A value or the failure that stands in for it: the one return convention of the core's parsers.
template <class T>
struct Parsed {
  T value{};
  Failure failure;
  bool ok = false;
  static Parsed of(T v) { return Parsed{std::move(v), {}, true}; }
  static Parsed fail(Failure f) { return Parsed{{}, std::move(f), false}; }
};

Parsed<S3Operation> classify(std::string_view method, Route::Kind where, const std::vector<http::QueryParam>& params,
                             const Headers& headers);

}  // namespace s3p
