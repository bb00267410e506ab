// UploadPart (PUT …?partNumber=N&uploadId=U): the client's body streamed to the backend by handle, signed with
// the payload hash the client declared, exactly as PutObject (any part size S3 allows; nothing is buffered).
#pragma once
#include "worker/ops/op_context.h"

namespace s3p {

Planned plan_upload_part(OpContext& ctx);

// Part numbers as S3 takes them: 1 to 10000, in decimal without leading zeros.
bool valid_part_number(std::string_view text);

}  // namespace s3p
