#include "worker/core/client_request.h"

#include <cmath>
#include <cstdio>

#include "worker/core/backend_fetch.h"
#include "worker/core/log_line.h"
#include "worker/s3/xml.h"

namespace s3p {

namespace {

constexpr std::string_view kExposeHeaders =
    "ETag, Content-Length, Content-Range, Content-Type, Accept-Ranges, Last-Modified, x-amz-request-id, "
    "x-amz-version-id, x-amz-delete-marker, Server-Timing";

// Backend response headers a client may see. Everything else (backend request ids, server names, redirects to
// the backend's host) stays behind the proxy.
bool passes_through(std::string_view name) {
  static constexpr std::string_view kAllowed[] = {
      "content-type",   "content-length",     "content-range",       "etag",          "last-modified",
      "accept-ranges",  "cache-control",      "content-encoding",    "content-disposition", "content-language",
      "expires",        "x-amz-version-id",   "x-amz-delete-marker", "x-amz-storage-class",
      "x-amz-server-side-encryption", "x-amz-mp-parts-count", "x-amz-tagging-count", "x-amz-object-lock-mode",
      "x-amz-object-lock-retain-until-date", "x-amz-object-lock-legal-hold", "x-amz-restore",
  };
  for (auto a : kAllowed)
    if (name == a) return true;
  return starts_with(name, "x-amz-meta-") || starts_with(name, "x-amz-checksum-");
}

// Query parameters a GetObject/HeadObject may carry to the backend. Anything else names a sub-resource or an
// operation we do not implement, and must not silently fall through to "return the object".
enum class QueryUse { Forward, Ignore, Unsupported };
QueryUse classify_object_query(std::string_view name) {
  if (name == "versionId" || name == "partNumber" || starts_with(name, "response-")) return QueryUse::Forward;
  if (name == "x-id") return QueryUse::Ignore;  // the AWS SDKs' operation hint
  return QueryUse::Unsupported;
}

std::string make_request_id(uint64_t r) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llX", static_cast<unsigned long long>(r));
  return buf;
}

}  // namespace

ClientRequest::ClientRequest(Engine& engine, uint32_t id, RequestHead&& head, double now_ms)
    : engine_(engine),
      id_(id),
      head_(std::move(head)),
      request_id_(make_request_id(head_.random)),
      start_ms_(now_ms),
      now_ms_(now_ms),
      head_only_(head_.method == "HEAD") {}

Action ClientRequest::next(double now_ms) {
  now_ms_ = now_ms;
  Action a;
  if (finished_) return a;  // Done
  if (!started_) {
    started_ = true;
    a = plan(now_ms);
  } else if (creds_op_) {
    a = drive_credentials(now_ms);
  } else if (ready_) {
    a = std::move(*ready_);
    ready_.reset();
  } else {
    a = error(errors::InternalError, "next() without a result to act on");  // host misuse
  }
  if (a.kind == ActionKind::Respond) finished_ = true;
  return a;
}

void ClientRequest::feed(Result&& result, double now_ms) {
  now_ms_ = now_ms;
  if (creds_op_)
    creds_op_->feed(std::move(result), now_ms);
  else if (result.kind == ActionKind::Fetch)
    ready_ = on_backend(std::move(result.fetch), now_ms);
  else
    ready_ = error(errors::InternalError, "unexpected result kind");
}

std::string ClientRequest::resource() const { return head_.path; }

Action ClientRequest::plan(double now_ms) {
  if (!engine_.configured()) return error(errors::ServiceUnavailable, "config: " + engine_.config_error());
  if (head_.method == "OPTIONS") return preflight();

  switch (parse_route(head_.path, route_)) {
    case RouteError::None: break;
    case RouteError::BadEncoding: return error(errors::InvalidURI, "malformed percent-encoding");
    case RouteError::KeyTooLong: return error(errors::KeyTooLong);
    case RouteError::DotSegment:
      return error(errors::InvalidArgument, "key has a '.' or '..' segment");
  }
  const bool read = head_.method == "GET" || head_.method == "HEAD";
  const Config& cfg = engine_.config();

  if (route_.kind == Route::Kind::Root) {
    op_ = "ListBuckets";
    if (!read) return error(errors::MethodNotAllowed);
    std::vector<std::string> names;
    names.reserve(cfg.accounts.size());
    for (const auto& a : cfg.accounts) names.push_back(a.name);
    return respond(200, {{"content-type", "application/xml"}},
                   Body{BodyKind::Bytes, xml::list_buckets(cfg.owner_id, names, "2024-01-01T00:00:00.000Z"), 0});
  }

  const Account* account = cfg.find(route_.account);
  if (!account) return error(errors::NoSuchBucket);
  if (route_.kind == Route::Kind::Account || route_.key.empty()) {
    op_ = "ListObjects";
    return error(errors::NotImplemented, "listing is not implemented yet");
  }
  const Repository* repo = account->find(route_.repo);
  if (!repo) return error(errors::NoSuchKey, "unknown repository");
  if (!read) return error(errors::MethodNotAllowed);
  return plan_object(*repo, now_ms);
}

Action ClientRequest::plan_object(const Repository& repo, double now_ms) {
  op_ = head_only_ ? "HeadObject" : "GetObject";
  std::vector<http::QueryParam> params;
  if (!http::parse_query(head_.query, params)) return error(errors::InvalidArgument, "malformed query string");
  for (auto& p : params) {
    switch (classify_object_query(p.name)) {
      case QueryUse::Forward: target_.query.push_back(std::move(p)); break;
      case QueryUse::Ignore: break;
      case QueryUse::Unsupported: return error(errors::NotImplemented, "unsupported query parameter " + p.name);
    }
  }
  backend_key_ = repo.prefix + route_.key;
  target_.backend = repo.backend;
  target_.key = backend_key_;
  const Backend& b = *repo.backend;
  switch (b.auth) {
    case BackendAuth::Anonymous: return send_to_backend(nullptr, now_ms);
    case BackendAuth::Static: {
      cred_source_ = "static";
      sigv4::Credentials creds{b.access_key_id, b.secret_access_key, b.session_token};
      return send_to_backend(&creds, now_ms);
    }
    case BackendAuth::WebIdentity:
      creds_op_ = engine_.federation().acquire(engine_, b, id_);
      return drive_credentials(now_ms);
  }
  return error(errors::InternalError, "unknown backend auth");
}

Action ClientRequest::drive_credentials(double now_ms) {
  Action a = creds_op_->next(now_ms);
  if (a.kind != ActionKind::Done) return a;
  std::unique_ptr<CredentialOp> op = std::move(creds_op_);
  cred_source_ = op->source();
  if (!op->ok()) return error(op->error(), op->detail());
  return send_to_backend(&op->credentials(), now_ms);
}

Action ClientRequest::send_to_backend(const sigv4::Credentials* creds, double now_ms) {
  Action a;
  a.kind = ActionKind::Fetch;
  a.fetch = backend_fetch(target_, head_.method, forwarded_read_headers(head_.headers), creds,
                          static_cast<int64_t>(std::floor(now_ms / 1000)), engine_.signing_keys());
  return a;
}

Action ClientRequest::on_backend(FetchResult&& r, double now_ms) {
  backend_ms_ = r.elapsed_ms > 0 ? r.elapsed_ms : now_ms - start_ms_;
  if (r.outcome == FetchOutcome::Timeout) return error(errors::ServiceUnavailable, "backend timeout: " + r.error);
  if (r.outcome != FetchOutcome::Ok) return error(errors::ServiceUnavailable, "backend transport: " + r.error);
  backend_status_ = r.status;

  if (r.status == 200 || r.status == 206 || r.status == 304) {
    Headers out;
    out.reserve(r.headers.size() + 6);
    for (auto& h : r.headers)
      if (passes_through(h.name)) out.push_back(std::move(h));
    Body body;
    if (r.handle != 0 && !head_only_ && r.status != 304) body = Body{BodyKind::Handle, {}, r.handle};
    return respond(r.status, std::move(out), std::move(body));
  }

  backend_code_ = r.body.empty() ? "" : xml::error_code_of(r.body);
  switch (r.status) {
    case 404:
      if (backend_code_ == "NoSuchBucket") return error(errors::InternalError, "backend bucket missing");
      return error(errors::NoSuchKey);
    case 403: return error(errors::AccessDenied, "backend denied");
    case 412: return error(errors::PreconditionFailed);
    case 416: return error(errors::InvalidRange);
    case 400: return error(errors::InvalidArgument, "backend rejected the request");
    case 500: case 502: case 503: case 504:
      return error(errors::ServiceUnavailable, "backend unavailable");
    default: return error(errors::BadGateway, "unexpected backend status");
  }
}

Action ClientRequest::preflight() {
  op_ = "Preflight";
  Headers h = {{"access-control-allow-methods", "GET, HEAD"}, {"access-control-max-age", "86400"}};
  if (const std::string* req = find_header(head_.headers, "access-control-request-headers"); req && !has_ctl_break(*req))
    h.push_back({"access-control-allow-headers", *req});
  return respond(204, std::move(h), {});
}

Action ClientRequest::error(const S3Error& e, std::string detail) {
  detail_ = std::move(detail);
  Headers h;
  Body body;
  // HEAD answers carry no body (S3 sends the status alone).
  if (!head_only_) {
    h.push_back({"content-type", "application/xml"});
    std::string res = route_.kind == Route::Kind::Root ? "/" : resource();
    body = Body{BodyKind::Bytes, xml::error_document(e.code, e.message, res, request_id_), 0};
  }
  if (e.status == 503) h.push_back({"retry-after", "1"});
  code_ = e.code;
  return respond(e.status, std::move(h), std::move(body));
}

Action ClientRequest::respond(uint32_t status, Headers&& headers, Body&& body) {
  const double total = now_ms_ - start_ms_;
  char timing[96];
  if (backend_ms_ >= 0)
    std::snprintf(timing, sizeof timing, "backend;dur=%.1f, total;dur=%.1f", backend_ms_, total);
  else
    std::snprintf(timing, sizeof timing, "total;dur=%.1f", total);
  headers.push_back({"x-amz-request-id", request_id_});
  headers.push_back({"access-control-allow-origin", "*"});
  headers.push_back({"access-control-expose-headers", std::string(kExposeHeaders)});
  headers.push_back({"server-timing", timing});

  LogLine log;
  log.str("rid", request_id_).str("op", op_).str("method", head_.method).str("path", head_.path).num("status", status);
  if (const std::string* len = find_header(headers, "content-length")) log.str("bytes", *len);
  if (!cred_source_.empty()) log.str("creds", cred_source_);
  if (backend_ms_ >= 0) log.num("backend_ms", backend_ms_);
  if (backend_status_ != 0) log.num("backend_status", backend_status_);
  if (!code_.empty()) log.str("code", code_);
  if (!backend_code_.empty()) log.str("backend_code", backend_code_);
  if (!detail_.empty()) log.str("detail", detail_);
  log.num("total_ms", total);

  Action a;
  a.kind = ActionKind::Respond;
  a.respond.status = status;
  a.respond.headers = std::move(headers);
  a.respond.body = std::move(body);
  a.respond.log_line = log.finish();
  return a;
}

}  // namespace s3p
