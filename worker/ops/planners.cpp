// The operation table: which planner answers which operation. Adding an operation is its own file plus a line
// here (and its rule in operation.cpp's classifier).
#include "worker/ops/abort_multipart_upload.h"
#include "worker/ops/complete_multipart_upload.h"
#include "worker/ops/copy_object.h"
#include "worker/ops/create_multipart_upload.h"
#include "worker/ops/delete_object.h"
#include "worker/ops/delete_objects.h"
#include "worker/ops/get_bucket_location.h"
#include "worker/ops/get_object.h"
#include "worker/ops/head_bucket.h"
#include "worker/ops/list_buckets.h"
#include "worker/ops/list_multipart_uploads.h"
#include "worker/ops/list_objects.h"
#include "worker/ops/list_parts.h"
#include "worker/ops/op_context.h"
#include "worker/ops/put_object.h"
#include "worker/ops/upload_part.h"
#include "worker/ops/upload_part_copy.h"

namespace s3p {

Planner planner_for(S3Operation op) {
  switch (op) {
    case S3Operation::ListBuckets: return plan_list_buckets;
    case S3Operation::HeadBucket: return plan_head_bucket;
    case S3Operation::GetBucketLocation: return plan_get_bucket_location;
    case S3Operation::ListObjects: return plan_list_objects;
    case S3Operation::ListMultipartUploads: return plan_list_multipart_uploads;
    case S3Operation::DeleteObjects: return plan_delete_objects;
    case S3Operation::GetObject: return plan_get_object;
    case S3Operation::HeadObject: return plan_get_object;
    case S3Operation::PutObject: return plan_put_object;
    case S3Operation::CopyObject: return plan_copy_object;
    case S3Operation::DeleteObject: return plan_delete_object;
    case S3Operation::CreateMultipartUpload: return plan_create_multipart_upload;
    case S3Operation::UploadPart: return plan_upload_part;
    case S3Operation::UploadPartCopy: return plan_upload_part_copy;
    case S3Operation::CompleteMultipartUpload: return plan_complete_multipart_upload;
    case S3Operation::AbortMultipartUpload: return plan_abort_multipart_upload;
    case S3Operation::ListParts: return plan_list_parts;
  }
  return nullptr;
}

}  // namespace s3p
