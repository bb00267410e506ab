// ListBuckets (GET /): the accounts the caller can see something in, a page at a time (max-buckets, at most 10000;
// continuation-token; prefix). A paged registry index is read one page per response: the response ends where the
// page does, and its continuation token starts the next.
#pragma once
#include <string>
#include <vector>

#include "worker/http/uri.h"
#include "worker/ops/op_context.h"

namespace s3p {

Planned plan_list_buckets(OpContext& ctx);

// Where a ListBuckets response starts: the first name (inclusive) its continuation-token names, "" without one.
// False for a token this proxy did not make (then `from` is "").
bool list_buckets_start(const std::vector<http::QueryParam>& params, std::string& from);
std::string list_buckets_token(std::string_view from);

}  // namespace s3p
