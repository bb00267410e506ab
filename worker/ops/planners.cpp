// The operation table: which planner answers which operation. Adding an operation is its own file plus a line
// here (and its rule in operation.cpp's classifier).
#include "worker/ops/delete_object.h"
#include "worker/ops/get_bucket_location.h"
#include "worker/ops/get_object.h"
#include "worker/ops/head_bucket.h"
#include "worker/ops/list_buckets.h"
#include "worker/ops/list_objects.h"
#include "worker/ops/op_context.h"
#include "worker/ops/put_object.h"

namespace s3p {

namespace {

Planned not_yet(OpContext& ctx) {
  return Planned::refuse(errors::NotImplemented, std::string(operation_name(ctx.op)) + " is not implemented");
}

}  // namespace

Planner planner_for(S3Operation op) {
  switch (op) {
    case S3Operation::ListBuckets: return plan_list_buckets;
    case S3Operation::HeadBucket: return plan_head_bucket;
    case S3Operation::GetBucketLocation: return plan_get_bucket_location;
    case S3Operation::ListObjects: return plan_list_objects;
    case S3Operation::ListMultipartUploads: return not_yet;
    case S3Operation::DeleteObjects: return not_yet;
    case S3Operation::GetObject: return plan_get_object;
    case S3Operation::HeadObject: return plan_get_object;
    case S3Operation::PutObject: return plan_put_object;
    case S3Operation::CopyObject: return not_yet;
    case S3Operation::DeleteObject: return plan_delete_object;
    case S3Operation::CreateMultipartUpload: return not_yet;
    case S3Operation::UploadPart: return not_yet;
    case S3Operation::UploadPartCopy: return not_yet;
    case S3Operation::CompleteMultipartUpload: return not_yet;
    case S3Operation::AbortMultipartUpload: return not_yet;
    case S3Operation::ListParts: return not_yet;
  }
  return not_yet;
}

}  // namespace s3p
