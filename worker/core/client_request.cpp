#include "worker/core/client_request.h"

#include <cmath>
#include <cstdlib>

#include "worker/auth/authorize.h"
#include "worker/core/backend_fetch.h"
#include "worker/core/delete_object_op.h"
#include "worker/core/put_object_op.h"
#include "worker/core/list_op.h"
#include "worker/core/log_line.h"
#include "worker/core/object_op.h"
#include "worker/creds/oidc_routes.h"
#include "worker/s3/xml.h"

namespace s3p {

namespace {

constexpr std::string_view kExposeHeaders =
    "ETag, Content-Length, Content-Range, Content-Type, Accept-Ranges, Last-Modified, x-amz-request-id, "
    "x-amz-version-id, x-amz-delete-marker, Server-Timing";

// A listing that spans repositories moves on one repository per round; more rounds than this is a bug.
constexpr int kMaxRounds = 64;

std::string make_request_id(uint64_t r) {
  static const char digits[] = "0123456789ABCDEF";
  std::string id(16, '0');
  for (int i = 15; i >= 0; --i, r >>= 4) id[i] = digits[r & 15];
  return id;
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
  else if (result.kind == ActionKind::Fetch && op_)
    ready_ = on_backend(std::move(result.fetch), now_ms);
  else
    ready_ = error(errors::InternalError, "unexpected result kind");
}

Action ClientRequest::plan(double now_ms) {
  if (!engine_.configured()) return error(errors::ServiceUnavailable, "config: " + engine_.config_error());
  if (http::head_bytes(head_.headers, head_.query) > http::kMaxHeadBytes)
    return error(errors::RequestHeaderSectionTooLarge, "request head over the size limit");
  if (head_.method == "OPTIONS") return preflight();
  // The OIDC provider's documents (federation), under the issuer's path (which may be below an account's).
  if (OidcAnswer doc; oidc_route(engine_.config().federation, head_.method, head_.path, doc)) {
    op_name_ = doc.op;
    if (doc.error) return error(*doc.error);
    return respond(200, std::move(doc.headers), Body{doc.body.empty() ? BodyKind::None : BodyKind::Bytes, std::move(doc.body), 0});
  }

  const std::string raw_path = head_.path;  // what a SigV4 signature covers, before any virtual-host rewrite
  if (!engine_.config().virtual_host_domain.empty())
    if (const std::string* host = find_header(head_.headers, "host"))
      head_.path = path_style(*host, engine_.config().virtual_host_domain, head_.path);
  switch (parse_route(head_.path, route_)) {
    case RouteError::None: break;
    case RouteError::BadEncoding: return error(errors::InvalidURI, "malformed percent-encoding");
    case RouteError::KeyTooLong: return error(errors::KeyTooLong);
    case RouteError::DotSegment: return error(errors::InvalidArgument, "key has a '.' or '..' segment");
  }
  if (!http::parse_query(head_.query, params_)) return error(errors::InvalidArgument, "malformed query string");
  if (std::string_view dup = http::duplicate_param(params_); !dup.empty())  // ambiguous: which copy counts?
    return error(starts_with(dup, "X-Amz-") ? errors::AuthorizationQueryParametersError : errors::InvalidArgument,
                 "repeated query parameter " + std::string(dup));
  if (Action a; !authenticated(raw_path, now_ms, a)) return a;

  const bool read = head_.method == "GET" || head_.method == "HEAD";
  const Config& cfg = engine_.config();

  if (route_.kind == Route::Kind::Root) {
    op_name_ = "ListBuckets";
    if (!read) return error(errors::MethodNotAllowed);
    std::vector<std::string> names;
    names.reserve(cfg.accounts.size());
    for (const auto& a : cfg.accounts)
      if (auth::can_see(caller_, a)) names.push_back(a.name);
    return respond(200, {{"content-type", "application/xml"}},
                   Body{BodyKind::Bytes, xml::list_buckets(cfg.owner_id, names, "2024-01-01T00:00:00.000Z"), 0});
  }

  const Account* account = cfg.find(route_.account);
  if (!account) return error(errors::NoSuchBucket);
  // POST is multipart (create, complete) and DeleteObjects, which come next; until then a clear 501.
  if (head_.method == "POST") return error(errors::NotImplemented, "POST operations are not implemented yet");
  if (route_.kind == Route::Kind::Account) {
    if (!read) return error(errors::MethodNotAllowed);
    return plan_account(*account, now_ms);
  }
  if (account->flat) route_.key = route_.tail;
  const Repository* repo = account->flat ? &account->repositories.front() : account->find(route_.repo);
  if (!repo) return error(errors::NoSuchKey, "unknown repository");
  if (read) return plan_object(*account, *repo, now_ms);
  if (head_.method == "PUT") return plan_put(*account, *repo, now_ms);
  if (head_.method == "DELETE") return plan_delete(*account, *repo, now_ms);
  return error(errors::MethodNotAllowed);
}

Action ClientRequest::plan_put(const Account& account, const Repository& repo, double now_ms) {
  op_name_ = "PutObject";
  for (const auto& p : params_)
    if (p.name != "x-id") return error(errors::NotImplemented, "unsupported PUT sub-resource " + p.name);
  if (find_header(head_.headers, "x-amz-copy-source")) return error(errors::NotImplemented, "CopyObject");
  if (!auth::allows(caller_, account, repo, kPermWrite, route_.key))
    return error(errors::AccessDenied, "no write permission for this key");
  if (route_.key.empty()) return error(errors::InvalidArgument, "empty key");
  // The backend request is signed with the hash the client declared: the backend recomputes it over the bytes
  // it receives, so a body changed after signing is refused there and never stored.
  std::string payload = payload_hash_.empty() ? std::string(sigv4::kUnsignedPayload) : payload_hash_;
  // Signed chunks are bound to the client's own seed signature, which no re-signed request can carry.
  if (starts_with(payload, "STREAMING-") && payload != "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
    return error(errors::SignedChunksUnsupported, "signed aws-chunked upload");
  return start_op(std::make_unique<PutObjectOp>(*repo.backend, repo.prefix + route_.key, head_.headers,
                                                std::move(payload), repo.name.empty()),
                  now_ms);
}

Action ClientRequest::plan_delete(const Account& account, const Repository& repo, double now_ms) {
  op_name_ = "DeleteObject";
  std::vector<http::QueryParam> forwarded;
  for (auto& p : params_) {
    if (p.name == "versionId") forwarded.push_back(std::move(p));
    else if (p.name != "x-id") return error(errors::NotImplemented, "unsupported DELETE sub-resource " + p.name);
  }
  if (!auth::allows(caller_, account, repo, kPermDelete, route_.key))
    return error(errors::AccessDenied, "no delete permission for this key");
  if (route_.key.empty()) return error(errors::InvalidArgument, "empty key");
  return start_op(std::make_unique<DeleteObjectOp>(*repo.backend, repo.prefix + route_.key, std::move(forwarded),
                                                   repo.name.empty()),
                  now_ms);
}

bool ClientRequest::authenticated(std::string_view raw_path, double now_ms, Action& refusal) {
  const auth::SignedRequest req{head_.method, raw_path, head_.path, params_, head_.headers, head_.has_body};
  auth::Verdict v = auth::authenticate(req, engine_.config(), static_cast<int64_t>(std::floor(now_ms / 1000)),
                                       engine_.inbound_keys());
  auth_scheme_ = v.scheme;
  if (v.error) {
    refusal = error(*v.error, std::move(v.detail));
    return false;
  }
  caller_ = v.key;
  payload_hash_ = std::move(v.payload_hash);
  auth::strip_auth_params(params_);
  return true;
}

Action ClientRequest::plan_account(const Account& account, double now_ms) {
  const bool visible = auth::can_see(caller_, account);
  for (const auto& p : params_) {
    if (p.name == "location") {
      op_name_ = "GetBucketLocation";
      if (!visible) return error(errors::AccessDenied, "no repository of the account is visible");
      return respond(200, {{"content-type", "application/xml"}}, Body{BodyKind::Bytes, xml::bucket_location(), 0});
    }
  }
  if (head_only_) {
    op_name_ = "HeadBucket";
    if (!visible) return error(errors::AccessDenied, "no repository of the account is visible");
    if (account.flat) return start_op(std::make_unique<HeadBucketOp>(*account.repositories.front().backend), now_ms);
    return respond(200, {{"x-amz-bucket-region", engine_.config().region}}, {});
  }
  return plan_listing_for(account, now_ms);
}

Action ClientRequest::plan_listing_for(const Account& account, double now_ms) {
  ListRequest list;
  std::string why;
  if (!parse_list_request(params_, list, why)) {
    op_name_ = "ListObjects";
    return error(list.unsupported ? errors::NotImplemented : errors::InvalidArgument, why);
  }
  op_name_ = list.v2 ? "ListObjectsV2" : "ListObjects";
  // The listing runs over a view of the account holding only what this caller may list: a listing inside one
  // repository needs list permission for its prefix there (else 403, as S3); the repositories as CommonPrefixes
  // show those the caller can see; a walk across repositories covers those the caller may list whole.
  listing_view_.name = account.name;
  listing_view_.flat = account.flat;
  const size_t slash = list.prefix.find('/');
  if (account.flat || slash != std::string::npos) {
    const Repository* repo = account.flat ? &account.repositories.front()
                                          : account.find(std::string_view(list.prefix).substr(0, slash));
    const std::string_view rest = account.flat ? std::string_view(list.prefix) : std::string_view(list.prefix).substr(slash + 1);
    if (repo && !auth::allows(caller_, account, *repo, kPermList, rest))
      return error(errors::AccessDenied, "no list permission for this prefix");
    if (repo) listing_view_.repositories.push_back(*repo);
  } else {
    const bool walk = list.delimiter != "/";
    for (const Repository& r : account.repositories)
      if (walk ? auth::allows(caller_, account, r, kPermList, "") : auth::can_see(caller_, account, r))
        listing_view_.repositories.push_back(r);
    if (listing_view_.repositories.empty() && !auth::can_see(caller_, account))
      return error(errors::AccessDenied, "no repository of the account is visible");
  }
  ListPlan plan = plan_listing(listing_view_, list);
  if (plan.kind == ListPlan::Kind::Invalid) return error(errors::InvalidArgument, plan.why);
  if (plan.kind == ListPlan::Kind::Local)
    return respond(200, {{"content-type", "application/xml"}}, Body{BodyKind::Bytes, std::move(plan.document), 0});
  return start_op(std::make_unique<ListOp>(listing_view_, std::move(list), std::move(plan), engine_.config().owner_id),
                  now_ms);
}

Action ClientRequest::plan_object(const Account& account, const Repository& repo, double now_ms) {
  op_name_ = head_only_ ? "HeadObject" : "GetObject";
  if (!auth::allows(caller_, account, repo, kPermRead, route_.key))
    return error(errors::AccessDenied, "no read permission for this key");
  std::string bad;
  Headers overrides;
  if (!ObjectOp::take_query(params_, overrides, bad)) {
    if (starts_with(bad, "response-")) return error(errors::InvalidArgument, "bad override " + bad);
    return error(errors::NotImplemented, "unsupported query parameter " + bad);
  }
  // Response overrides let a link render a stored file as any type on the proxy's shared origin: as S3 does,
  // only signed requests may use them.
  if (!overrides.empty() && !caller_) return error(errors::AnonymousOverrides, "response-* while anonymous");
  // An empty backend key would address the backend bucket itself; no object can have it (S3: NoSuchKey).
  if (repo.prefix.empty() && route_.key.empty()) return error(errors::NoSuchKey, "empty backend key");
  return start_op(std::make_unique<ObjectOp>(*repo.backend, head_.method, repo.prefix + route_.key, std::move(params_),
                                             forwarded_read_headers(head_.headers), std::move(overrides),
                                             repo.name.empty()),
                  now_ms);
}

Action ClientRequest::start_op(std::unique_ptr<BackendOp> op, double now_ms) {
  op_ = std::move(op);
  op_name_ = op_->name();
  return begin_round(now_ms);
}

Action ClientRequest::begin_round(double now_ms) {
  if (++rounds_ > kMaxRounds) return error(errors::InternalError, "too many backend rounds");
  const Backend& b = op_->backend();
  switch (b.auth) {
    case BackendAuth::Anonymous: return send_round(nullptr, now_ms);
    case BackendAuth::Static: {
      cred_source_ = "static";
      sigv4::Credentials creds{b.access_key_id, b.secret_access_key, b.session_token};
      return send_round(&creds, now_ms);
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
  cred_note_ = op->note();
  if (!op->ok()) return error(op->error(), op->detail());
  return send_round(&op->credentials(), now_ms);
}

Action ClientRequest::send_round(const sigv4::Credentials* creds, double now_ms) {
  Action a;
  a.kind = ActionKind::Fetch;
  a.fetch = op_->request(creds, static_cast<int64_t>(std::floor(now_ms / 1000)), engine_.signing_keys());
  if (a.fetch.url.empty()) return error(errors::InternalError, "backend request refused as built");
  return a;
}

Action ClientRequest::on_backend(FetchResult&& r, double now_ms) {
  backend_ms_ = std::max(backend_ms_, 0.0) + r.elapsed_ms;
  backend_status_ = r.status;
  OpStep step = op_->on_response(std::move(r));
  if (step.kind == OpStep::Kind::Again) return begin_round(now_ms);
  return finish(std::move(step));
}

Action ClientRequest::finish(OpStep&& step) {
  if (step.kind == OpStep::Kind::Error) return error(*step.error, std::move(step.detail));
  return respond(step.status, std::move(step.headers), std::move(step.body));
}

Action ClientRequest::preflight() {
  op_name_ = "Preflight";
  // Every method S3 clients use; whether the caller may is decided on the actual request.
  Headers h = {{"access-control-allow-methods", "GET, HEAD, PUT, POST, DELETE"}, {"access-control-max-age", "86400"}};
  if (const std::string* req = find_header(head_.headers, "access-control-request-headers"); req && !has_ctl_break(*req))
    h.push_back({"access-control-allow-headers", *req});
  return respond(204, std::move(h), {});
}

Action ClientRequest::error(const S3Error& e, std::string detail) {
  detail_ = std::move(detail);
  code_ = e.code;
  Headers h;
  Body body;
  // HEAD answers carry no body (S3 sends the status alone).
  if (!head_only_) {
    h.push_back({"content-type", "application/xml"});
    body = Body{BodyKind::Bytes, xml::error_document(e.code, e.message, head_.path, request_id_), 0};
  }
  if (e.status == 503) h.push_back({"retry-after", "1"});
  return respond(e.status, std::move(h), std::move(body));
}

Action ClientRequest::respond(uint32_t status, Headers&& headers, Body&& body) {
  const double total = now_ms_ - start_ms_;
  headers.push_back({"x-amz-request-id", request_id_});
  headers.push_back({"access-control-allow-origin", "*"});
  // A stored file must never be sniffed into HTML or script on the origin every account shares.
  headers.push_back({"x-content-type-options", "nosniff"});
  // Exposing headers only matters to a browser's cross-origin read, which always carries Origin.
  if (find_header(head_.headers, "origin")) headers.push_back({"access-control-expose-headers", std::string(kExposeHeaders)});
  // Timings tell anyone the backend's latency and when an STS exchange ran: only when the deployment asks.
  if (engine_.configured() && engine_.config().server_timing) {
    std::string timing;
    if (backend_ms_ >= 0) {
      timing = "backend;dur=";
      append_fixed(timing, backend_ms_, 1);
      timing += ", ";
    }
    timing += "total;dur=";
    append_fixed(timing, total, 1);
    headers.push_back({"server-timing", std::move(timing)});
  }

  LogLine log;
  log.str("rid", request_id_).str("op", op_name_).str("method", head_.method).str("path", head_.path).num("status", status);
  if (const std::string* len = find_header(headers, "content-length")) log.num("bytes", std::strtod(len->c_str(), nullptr));
  log.str("auth", auth_scheme_);
  if (caller_) log.str("key", caller_->id);
  if (!cred_source_.empty()) log.str("creds", cred_source_);
  if (!cred_note_.empty()) log.str("creds_note", cred_note_);
  if (backend_ms_ >= 0) log.num("backend_ms", backend_ms_);
  if (backend_status_ != 0) log.num("backend_status", backend_status_);
  if (rounds_ > 1) log.num("rounds", rounds_);
  if (!code_.empty()) log.str("code", code_);
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
