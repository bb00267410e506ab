// GetObject / HeadObject: one signed (or anonymous) backend request, body streamed back by handle.
#pragma once
#include <vector>

#include "worker/core/backend_op.h"
#include "worker/http/uri.h"

namespace s3p {

class ObjectOp : public BackendOp {
 public:
  // `key` is the backend key (repository prefix + client key); `query` the parameters to forward.
  // `flat`: the client's bucket is the backend bucket (a flat bucket mirrors it, NoSuchBucket included); inside a
  // repository a missing backend bucket is a configuration fault.
  ObjectOp(const Backend& backend, std::string method, std::string key, std::vector<http::QueryParam> query,
           Headers forwarded, Headers overrides, bool flat = false);
  std::string_view name() const override { return head_ ? "HeadObject" : "GetObject"; }
  const Backend& backend() const override { return backend_; }
  FetchAction request(const sigv4::Credentials* creds, int64_t now_s, sigv4::SigningKeyCache& keys) override;
  OpStep on_response(FetchResult&& r) override;

  // Splits a GetObject/HeadObject query into what is forwarded (versionId, partNumber) and the response-*
  // header overrides, which the proxy applies itself: S3 refuses them on anonymous requests, and the client's
  // right to them is the proxy's to judge. False (with the offending name) for a parameter naming a
  // sub-resource we do not implement — it must never silently fall through to "return the object" — or an
  // override value that could split a header.
  static bool take_query(std::vector<http::QueryParam>& params, Headers& overrides, std::string& bad);

 private:
  const Backend& backend_;
  std::string method_;
  bool head_;
  std::string key_;
  std::vector<http::QueryParam> query_;
  Headers forwarded_;
  Headers overrides_;  // from response-* parameters, applied to a successful answer
  bool flat_;
};

// HeadBucket on a flat bucket: asks the backend (HEAD of its bucket), so a missing or forbidden backend bucket
// answers as S3 would (404 / 403) instead of a blind 200.
class HeadBucketOp : public BackendOp {
 public:
  explicit HeadBucketOp(const Backend& backend) : backend_(backend) {}
  std::string_view name() const override { return "HeadBucket"; }
  const Backend& backend() const override { return backend_; }
  FetchAction request(const sigv4::Credentials* creds, int64_t now_s, sigv4::SigningKeyCache& keys) override;
  OpStep on_response(FetchResult&& r) override;

 private:
  const Backend& backend_;
};

// How a backend's 404 NoSuchBucket answers the client: a flat bucket mirrors it; for a repository it is a
// configuration fault (the config names a bucket that does not exist): 502, with the fault in the log detail.
OpStep missing_backend_bucket(bool flat, std::string detail);

}  // namespace s3p
