#include "worker/ops/get_object.h"

#include "worker/auth/authorize.h"
#include "worker/cache/byte_range.h"
#include "worker/dialect/dialect.h"
#include "worker/http/decimal.h"
#include "worker/ops/backend_fetch.h"
#include "worker/ops/cached_object.h"
#include "worker/s3/backend_errors.h"
#include "worker/s3/xml.h"

namespace s3p {

bool ObjectOp::passes_through(std::string_view name) {
  static constexpr std::string_view kAllowed[] = {
      "content-type",   "content-length",     "content-range",       "etag",          "last-modified",
      "accept-ranges",  "cache-control",      "content-encoding",    "content-disposition", "content-language",
      "expires",        "x-amz-version-id",   "x-amz-delete-marker", "x-amz-storage-class",
      "x-amz-server-side-encryption", "x-amz-mp-parts-count", "x-amz-tagging-count", "x-amz-object-lock-mode",
      "x-amz-object-lock-retain-until-date", "x-amz-object-lock-legal-hold", "x-amz-restore",
      "x-amz-server-side-encryption-customer-algorithm", "x-amz-server-side-encryption-customer-key-md5",
  };
  for (auto a : kAllowed)
    if (name == a) return true;
  return starts_with(name, "x-amz-meta-") || starts_with(name, "x-amz-checksum-");
}

Planned plan_get_object(OpContext& ctx) {
  if (!auth::allows(ctx.caller, *ctx.account, *ctx.repo, kPermRead, ctx.key))
    return Planned::refuse(errors::AccessDenied, "no read permission for this key");
  std::string bad;
  Headers overrides;
  if (!ObjectOp::take_query(ctx.params, overrides, bad)) {
    if (starts_with(bad, "response-")) return Planned::refuse(errors::InvalidArgument, "bad override " + bad);
    return Planned::refuse(errors::NotImplemented, "unsupported query parameter " + bad);
  }
  // Response overrides let a link render a stored file as any type on the proxy's shared origin: as S3 does,
  // only signed requests may use them.
  if (!overrides.empty() && !ctx.caller) return Planned::refuse(errors::AnonymousOverrides, "response-* while anonymous");
  // An empty backend key would address the backend bucket itself; no object can have it (S3: NoSuchKey).
  if (ctx.repo->prefix.empty() && ctx.key.empty()) return Planned::refuse(errors::NoSuchKey, "empty backend key");
  Headers forwarded = forwarded_read_headers(ctx.headers);
  if (std::string_view why = dialect::of(*ctx.repo->backend).unsupported_read(forwarded, ctx.params); !why.empty())
    return Planned::refuse(errors::NotImplemented, std::string(why));
  std::unique_ptr<ObjectOp> op;
  if (cache_may_answer(ctx))
    op = std::make_unique<CachedObjectOp>(*ctx.objects, ctx.task_id, *ctx.repo, std::string(ctx.method),
                                          ctx.backend_key(), ctx.headers, std::move(overrides), ctx.flat(),
                                          ctx.config.object_cache_name_key);
  else
    op = std::make_unique<ObjectOp>(*ctx.repo->backend, std::string(ctx.method), ctx.backend_key(),
                                    std::move(ctx.params), std::move(forwarded), std::move(overrides),
                                    ctx.flat());
  op->set_freshness(*ctx.repo);
  return Planned::run(std::move(op));
}

void ObjectOp::set_freshness(const Repository& repo) {
  freshness_forced_ = !repo.cache_control.empty();
  freshness_ = freshness_forced_ ? repo.cache_control
                                 : std::string(repo.public_read ? kDefaultPublicCacheControl : kDefaultPrivateCacheControl);
}

void ObjectOp::apply_freshness(Headers& h) const {
  if (freshness_.empty() || find_header(overrides_, "cache-control")) return;
  for (Header& x : h)
    if (x.name == "cache-control") {
      if (freshness_forced_) x.value = freshness_;
      return;
    }
  h.push_back({"cache-control", freshness_});
}

bool ObjectOp::take_query(std::vector<http::QueryParam>& params, Headers& overrides, std::string& bad) {
  static constexpr std::string_view kOverrides[] = {"content-type", "content-language", "expires", "cache-control",
                                                    "content-disposition", "content-encoding"};
  std::vector<http::QueryParam> kept;
  for (auto& p : params) {
    if (p.name == "versionId" || p.name == "partNumber") {
      kept.push_back(std::move(p));
    } else if (starts_with(p.name, "response-")) {
      std::string_view header = std::string_view(p.name).substr(9);
      bool known = false;
      for (auto o : kOverrides) known = known || header == o;
      if (!known || has_ctl_break(p.value)) return bad = p.name, false;
      overrides.push_back({std::string(header), std::move(p.value)});
    } else if (p.name != "x-id") {  // x-id: the AWS SDKs' operation hint
      return bad = p.name, false;
    }
  }
  params = std::move(kept);
  return true;
}

ObjectOp::ObjectOp(const Backend& backend, std::string method, std::string key, std::vector<http::QueryParam> query,
                   Headers forwarded, Headers overrides, bool flat)
    : backend_(backend),
      method_(std::move(method)),
      head_(method_ == "HEAD"),
      key_(std::move(key)),
      query_(std::move(query)),
      forwarded_(std::move(forwarded)),
      overrides_(std::move(overrides)),
      flat_(flat) {
  // A backend without suffix ranges ("bytes=-n"): learn the size first (a HEAD with the client's conditions), then
  // ask for the bytes it names.
  const std::string* range = find_header(forwarded_, "range");
  if (range && starts_with(*range, "bytes=-") && !dialect::of(backend_).capabilities().suffix_range)
    suffix_ = Suffix::Probe;
}

FetchAction ObjectOp::request(const BackendCredentials* creds, int64_t now_s, sigv4::SigningKeyCache& keys) {
  const dialect::Dialect& d = dialect::of(backend_);
  if (suffix_ == Suffix::Probe) {
    Headers conditions;
    for (const Header& h : forwarded_)
      if (h.name != "range") conditions.push_back(h);
    return d.read(backend_, dialect::ObjectRead{true, key_, &conditions, &query_}, creds, {now_s, keys});
  }
  return d.read(backend_, dialect::ObjectRead{head_, key_, &forwarded_, &query_}, creds, {now_s, keys});
}

// The size probe answered 200: the suffix becomes "bytes=first-last" of the object it measured, asked If-Match its
// ETag (the client's conditions held on the probe; the bytes must be of the same object — one replaced between
// the two requests answers 412, which the client sees as PreconditionFailed and retries).
OpStep ObjectOp::resolve_suffix(const FetchResult& r) {
  suffix_ = Suffix::Resolved;
  const std::string* length = find_header(r.headers, "content-length");
  const std::string* etag = find_header(r.headers, "etag");
  uint64_t size = 0;
  if (!length || !etag || !http::parse_decimal(*length, size))
    return OpStep::fail(errors::BadGateway, "size probe without content-length or etag");
  std::string range = *find_header(forwarded_, "range");
  const cache::RangeResolution rr = cache::resolve_range(&range, size);
  if (rr.ask != cache::RangeAsk::Part)  // "bytes=-0", or any suffix of an empty object
    return backend_error_answer(BackendError::InvalidRange, BackendCallKind::Read, flat_, "suffix range on " + *length);
  Headers next;
  for (Header& h : forwarded_)
    if (h.name != "range" && h.name != "if-match" && h.name != "if-none-match" && h.name != "if-modified-since" &&
        h.name != "if-unmodified-since")
      next.push_back(std::move(h));
  next.push_back({"range", "bytes=" + std::to_string(rr.range.first) + "-" + std::to_string(rr.range.last)});
  next.push_back({"if-match", *etag});
  forwarded_ = std::move(next);
  return OpStep::again();
}

OpStep ObjectOp::on_response(FetchResult&& r) {
  OpStep step;
  if (backend_failure(r, step)) return step;
  if (suffix_ == Suffix::Probe && r.status == 200) return resolve_suffix(r);
  if (r.status == 200 || r.status == 206 || r.status == 304) {
    step.status = r.status;
    step.headers.reserve(r.headers.size() + 6);
    for (auto& h : r.headers)
      if (passes_through(h.name) && !find_header(overrides_, h.name)) step.headers.push_back(std::move(h));
    apply_freshness(step.headers);  // before the overrides move out: a response-cache-control wins
    if (r.status != 304)
      for (auto& h : overrides_) step.headers.push_back(std::move(h));
    if (r.handle != 0 && !head_ && r.status != 304) step.body = Body{BodyKind::Handle, {}, r.handle};
    return step;
  }
  const dialect::Classified c = dialect::classify_answer(backend_, r);
  return backend_error_answer(c.error, BackendCallKind::Read, flat_, s3::error_detail(r.status, c.code));
}

}  // namespace s3p
