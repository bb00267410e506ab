// DeleteObjects (POST /{account}?delete): the client's key list is read into the core (≤ 1000 keys, bounded
// body, checked against what the client signed), each key is authorized on its own (a forbidden key is an
// <Error> entry, as S3 answers, and never reaches a backend), and the rest are deleted with one backend
// DeleteObjects per repository, whose results are mapped back into our key space — or, on a backend without batch
// deletes (Azure), with one delete per key, a bounded window of them at a time (FetchBatch actions), the results
// kept in request order.
#pragma once
#include <string>
#include <vector>

#include "worker/ops/op_context.h"

namespace s3p {

Planned plan_delete_objects(OpContext& ctx);

struct DeleteTarget {
  std::string key;  // the client's key in the bucket (the account)
  std::string version_id;
};

struct DeleteRequest {
  bool quiet = false;
  std::vector<DeleteTarget> objects;
};

Parsed<DeleteRequest> parse_delete_request(std::string_view body);

}  // namespace s3p
