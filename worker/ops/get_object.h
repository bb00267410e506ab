// GetObject / HeadObject: one signed (or anonymous) backend request, body streamed back by handle.
#pragma once
#include <vector>

#include "worker/ops/op_context.h"
#include "worker/http/uri.h"

namespace s3p {

// GetObject and HeadObject (the method tells them apart).
Planned plan_get_object(OpContext& ctx);

class ObjectOp : public BackendOp {
 public:
  // `key` is the backend key (repository prefix + client key); `query` the parameters to forward.
  // `flat`: the client's bucket is the backend bucket (a flat bucket mirrors it, NoSuchBucket included); inside a
  // repository a missing backend bucket is a configuration fault.
  ObjectOp(const Backend& backend, std::string method, std::string key, std::vector<http::QueryParam> query,
           Headers forwarded, Headers overrides, bool flat = false);
  std::string_view name() const override { return head_ ? "HeadObject" : "GetObject"; }
  const Backend& backend() const override { return backend_; }
  FetchAction request(const BackendCredentials* creds, int64_t now_s, sigv4::SigningKeyCache& keys) override;
  OpStep on_response(FetchResult&& r) override;

  // Splits a GetObject/HeadObject query into what is forwarded (versionId, partNumber) and the response-*
  // header overrides, which the proxy applies itself: S3 refuses them on anonymous requests, and the client's
  // right to them is the proxy's to judge. False (with the offending name) for a parameter naming a
  // sub-resource we do not implement — it must never silently fall through to "return the object" — or an
  // override value that could split a header.
  static bool take_query(std::vector<http::QueryParam>& params, Headers& overrides, std::string& bad);
  // Backend response headers a client may see. Everything else (backend request ids, server names, redirects to
  // the backend's host) stays behind the proxy.
  static bool passes_through(std::string_view name);

  // The Cache-Control successful reads carry (README "Freshness"): the repository's, else the backend's, else a
  // default by visibility. A signed caller's response-cache-control still wins (it is an override).
  void set_freshness(const Repository& repo);

 protected:
  // Sets `h`'s Cache-Control by the rules above (h holds the backend's headers and the overrides).
  void apply_freshness(Headers& h) const;
  const Backend& backend_;
  std::string method_;
  bool head_;
  std::string key_;
  std::vector<http::QueryParam> query_;
  Headers forwarded_;
  Headers overrides_;  // from response-* parameters, applied to a successful answer
  bool flat_;
  // A suffix range on a dialect without them: Probe (the size is learnt first), then Resolved.
  enum class Suffix : uint8_t { None, Probe, Resolved } suffix_ = Suffix::None;
  OpStep resolve_suffix(const FetchResult& r);
  std::string freshness_;        // the repository's Cache-Control, or the default when the backend sends none
  bool freshness_forced_ = false;  // the repository's: replaces the backend's
};

}  // namespace s3p
