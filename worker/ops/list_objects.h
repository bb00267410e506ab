// ListObjects (V1 and V2) on an account. The client's bucket is the account and the first key segment is the
// repository, so a listing is either answered locally (the repositories themselves, as CommonPrefixes) or by
// one or more backend listings, rewritten into the client's key space. A listing without a delimiter whose
// prefix does not reach into one repository walks the matching repositories in key order, one backend page per
// client page. V2 continuation tokens are sealed (worker/s3/continuation_token.h) and bound to the listing; inside,
// "{repo}/{backend token}" for listings that reach the backend, the last repository prefix for the local listing of
// repositories. V1 markers are client keys, as S3 defines them — except the NextMarker of a backend that cannot
// start after a key (Azure: dialect capabilities), which is sealed like a V2 token so that the next page resumes
// where the backend stopped instead of re-reading every page before it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "worker/crypto/siv_hmac.h"
#include "worker/ops/op_context.h"
#include "worker/http/uri.h"

namespace s3p {

// ListObjects and ListObjectsV2 (GET /{account}).
Planned plan_list_objects(OpContext& ctx);

struct ListRequest {
  bool v2 = false;
  std::string prefix, delimiter;
  uint32_t max_keys = 1000;
  bool has_token = false;
  std::string token;        // V2 continuation-token as the client sent it
  std::string start_after;  // V2
  std::string marker;       // V1
  bool url = false;         // encoding-type=url
  bool fetch_owner = false;
};

// A bad parameter is InvalidArgument; a sub-resource we do not implement is NotImplemented (501).
Parsed<ListRequest> parse_list_request(const std::vector<http::QueryParam>& params);

struct ListPlan {
  enum class Kind { Local, Backend, Invalid };
  Kind kind = Kind::Local;
  std::string document;  // Local: the whole response body
  const S3Error* error = &errors::InvalidArgument;  // Invalid
  std::string why;                                  // Invalid, for the log
  // Backend: the repositories this listing walks (in key order) and where it starts.
  std::vector<const Repository*> repos;
  size_t index = 0;
  std::string rest;           // client prefix after "repo/" (single-repository listings)
  std::string backend_token;  // continuation token for repos[index]
  std::string backend_start;  // start-after / marker for repos[index], in backend key space
  bool marker_sealed = false;  // V1: the marker was a NextMarker the proxy sealed (not a key to start after)
};

// `token_keys` open the request's continuation token (one that does not open is an Invalid plan: no backend
// request) and seal the ones a local answer hands out.
ListPlan plan_listing(const Account& account, const ListRequest& req, const crypto::SivKeys& token_keys);

class ListOp : public BackendOp {
 public:
  ListOp(const Account& account, ListRequest req, ListPlan plan, std::string_view owner_id,
         const crypto::SivKeys& token_keys);
  std::string_view name() const override { return req_.v2 ? "ListObjectsV2" : "ListObjects"; }
  const Backend& backend() const override { return *plan_.repos[plan_.index]->backend; }
  FetchAction request(const BackendCredentials* creds, int64_t now_s, sigv4::SigningKeyCache& keys) override;
  OpStep on_response(FetchResult&& r) override;

 private:
  const Account& account_;
  ListRequest req_;
  ListPlan plan_;
  std::string owner_id_;
  const crypto::SivKeys& token_keys_;  // the config's, which outlives every request
  int empty_rounds_ = 0;
};

}  // namespace s3p
