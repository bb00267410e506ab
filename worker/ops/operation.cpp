#include "worker/ops/operation.h"

namespace s3p {

namespace {

bool has(const std::vector<http::QueryParam>& params, std::string_view name) {
  for (const auto& p : params)
    if (p.name == name) return true;
  return false;
}

Parsed<S3Operation> op(S3Operation o) { return Parsed<S3Operation>::of(o); }
Parsed<S3Operation> refuse(const S3Error& e, std::string detail) {
  return Parsed<S3Operation>::fail(client_fault(e, std::move(detail)));
}

Parsed<S3Operation> on_bucket(std::string_view method, const std::vector<http::QueryParam>& params) {
  const bool read = method == "GET" || method == "HEAD";
  if (read && has(params, "location")) return op(S3Operation::GetBucketLocation);
  if (method == "GET" && has(params, "uploads")) return op(S3Operation::ListMultipartUploads);
  if (method == "HEAD") return op(S3Operation::HeadBucket);
  if (method == "GET") return op(S3Operation::ListObjects);
  if (method == "POST") {
    if (has(params, "delete")) return op(S3Operation::DeleteObjects);
    return refuse(errors::NotImplemented, "POST on a bucket without ?delete");
  }
  // Creating and deleting buckets (accounts) is the deployment's business, not a client's.
  return refuse(errors::MethodNotAllowed, "bucket-level " + std::string(method));
}

Parsed<S3Operation> on_object(std::string_view method, const std::vector<http::QueryParam>& params,
                              const Headers& headers) {
  const bool upload_id = has(params, "uploadId");
  if (method == "GET") return op(upload_id ? S3Operation::ListParts : S3Operation::GetObject);
  if (method == "HEAD") return op(S3Operation::HeadObject);
  if (method == "PUT") {
    const bool copy = find_header(headers, "x-amz-copy-source") != nullptr;
    const bool part = has(params, "partNumber");
    if (part != upload_id) return refuse(errors::InvalidRequest, "partNumber and uploadId go together");
    if (part) return op(copy ? S3Operation::UploadPartCopy : S3Operation::UploadPart);
    return op(copy ? S3Operation::CopyObject : S3Operation::PutObject);
  }
  if (method == "POST") {
    if (has(params, "uploads")) return op(S3Operation::CreateMultipartUpload);
    if (upload_id) return op(S3Operation::CompleteMultipartUpload);
    return refuse(errors::NotImplemented, "POST on an object without ?uploads or ?uploadId");
  }
  if (method == "DELETE") return op(upload_id ? S3Operation::AbortMultipartUpload : S3Operation::DeleteObject);
  return refuse(errors::MethodNotAllowed, std::string(method));
}

}  // namespace

std::string_view operation_name(S3Operation o) {
  switch (o) {
    case S3Operation::ListBuckets: return "ListBuckets";
    case S3Operation::HeadBucket: return "HeadBucket";
    case S3Operation::GetBucketLocation: return "GetBucketLocation";
    case S3Operation::ListObjects: return "ListObjects";
    case S3Operation::ListMultipartUploads: return "ListMultipartUploads";
    case S3Operation::DeleteObjects: return "DeleteObjects";
    case S3Operation::GetObject: return "GetObject";
    case S3Operation::HeadObject: return "HeadObject";
    case S3Operation::PutObject: return "PutObject";
    case S3Operation::CopyObject: return "CopyObject";
    case S3Operation::DeleteObject: return "DeleteObject";
    case S3Operation::CreateMultipartUpload: return "CreateMultipartUpload";
    case S3Operation::UploadPart: return "UploadPart";
    case S3Operation::UploadPartCopy: return "UploadPartCopy";
    case S3Operation::CompleteMultipartUpload: return "CompleteMultipartUpload";
    case S3Operation::AbortMultipartUpload: return "AbortMultipartUpload";
    case S3Operation::ListParts: return "ListParts";
  }
  return "Unknown";
}

const std::vector<std::string_view>* accepted_params(S3Operation o) {
  // x-id: the AWS SDKs' operation hint, on every operation.
  static const std::vector<std::string_view> kLocation{"location", "x-id"};
  static const std::vector<std::string_view> kUploads{"uploads",    "prefix",          "delimiter",
                                                      "key-marker", "upload-id-marker", "max-uploads",
                                                      "encoding-type", "x-id"};
  static const std::vector<std::string_view> kDelete{"delete", "x-id"};
  static const std::vector<std::string_view> kNone{"x-id"};
  static const std::vector<std::string_view> kVersion{"versionId", "x-id"};
  static const std::vector<std::string_view> kCreate{"uploads", "x-id"};
  static const std::vector<std::string_view> kPart{"partNumber", "uploadId", "x-id"};
  static const std::vector<std::string_view> kUploadId{"uploadId", "x-id"};
  static const std::vector<std::string_view> kParts{"uploadId", "max-parts", "part-number-marker", "encoding-type",
                                                    "x-id"};
  switch (o) {
    case S3Operation::ListBuckets:
    case S3Operation::HeadBucket:
    case S3Operation::ListObjects:
    case S3Operation::GetObject:
    case S3Operation::HeadObject: return nullptr;
    case S3Operation::GetBucketLocation: return &kLocation;
    case S3Operation::ListMultipartUploads: return &kUploads;
    case S3Operation::DeleteObjects: return &kDelete;
    case S3Operation::PutObject:
    case S3Operation::CopyObject: return &kNone;
    case S3Operation::DeleteObject: return &kVersion;
    case S3Operation::CreateMultipartUpload: return &kCreate;
    case S3Operation::UploadPart:
    case S3Operation::UploadPartCopy: return &kPart;
    case S3Operation::CompleteMultipartUpload:
    case S3Operation::AbortMultipartUpload: return &kUploadId;
    case S3Operation::ListParts: return &kParts;
  }
  return nullptr;
}

Parsed<S3Operation> classify(std::string_view method, Route::Kind where, const std::vector<http::QueryParam>& params,
                             const Headers& headers) {
  Parsed<S3Operation> c;
  switch (where) {
    case Route::Kind::Root:
      if (method != "GET" && method != "HEAD") return refuse(errors::MethodNotAllowed, "service-level " + std::string(method));
      c = op(S3Operation::ListBuckets);
      break;
    case Route::Kind::Account: c = on_bucket(method, params); break;
    case Route::Kind::Object: c = on_object(method, params, headers); break;
  }
  if (!c.ok) return c;
  if (const auto* accepted = accepted_params(c.value))
    for (const auto& p : params) {
      bool known = false;
      for (auto a : *accepted) known = known || p.name == a;
      if (!known) return refuse(errors::NotImplemented, std::string(operation_name(c.value)) + " with sub-resource " + p.name);
    }
  return c;
}

}  // namespace s3p
