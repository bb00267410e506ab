#include "worker/core/client_request.h"

#include <algorithm>
#include <cmath>

#include "worker/auth/authenticate.h"
#include "worker/auth/authorize.h"
#include "worker/auth/session.h"
#include "worker/config/access_keys.h"
#include "worker/route/copy_source.h"
#include "worker/proto/cache_write.h"
#include "worker/cache/chunk_plan.h"
#include "worker/core/cors.h"
#include "worker/dialect/dialect.h"
#include "worker/http/decimal.h"
#include "worker/http/log_line.h"
#include "worker/creds/oidc_routes.h"
#include "worker/ops/client_body.h"
#include "worker/ops/list_buckets.h"
#include "worker/ops/stream_deadline.h"
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
  switch (phase_) {
    case Phase::Start: return start();
    case Phase::Sts: return drive_sts();
    case Phase::Session: return drive_session();
    case Phase::Resolving: return drive_resolve();
    case Phase::BodyRead: return plan();
    case Phase::Credentials: return drive_credentials();
    case Phase::Received: return on_result(std::move(received_));
    case Phase::Misused: return fail(host_fault(std::move(misuse_)));
    case Phase::ReadingBody:
    case Phase::Awaiting: return fail(host_fault("next() while a result is awaited"));
    case Phase::Answered: break;
  }
  return Action{};  // Done
}

void ClientRequest::feed(Result&& result, double now_ms) {
  now_ms_ = now_ms;
  if (phase_ == Phase::Resolving) {
    resolve_->feed(std::move(result), now_ms);
  } else if (phase_ == Phase::Sts) {
    sts_->feed(std::move(result), now_ms);
  } else if (phase_ == Phase::Session) {
    open_session_->feed(std::move(result), now_ms);
  } else if (phase_ == Phase::Credentials) {
    creds_op_->feed(std::move(result), now_ms);
  } else if (phase_ == Phase::Awaiting && result.kind == awaited_) {
    received_ = std::move(result);
    phase_ = Phase::Received;
  } else if (phase_ == Phase::ReadingBody && result.kind == ActionKind::ReadBody) {
    // Not read: larger than the operation reads (S3 caps these documents too), or the client's body broke off.
    ctx_->body_read = result.flag;
    if (result.flag) ctx_->body = std::move(result.data);
    else body_problem_ = result.error.empty() ? "larger than the limit" : std::move(result.error);
    phase_ = Phase::BodyRead;
  } else if (phase_ != Phase::Answered) {
    misuse_ = "unexpected result kind " + std::to_string(static_cast<uint32_t>(result.kind));
    phase_ = Phase::Misused;
  }
}

Action ClientRequest::start() {
  if (!engine_.configured()) return fail(config_fault(errors::ServiceUnavailable, "config: " + engine_.config_error()));
  if (http::head_bytes(head_.headers, head_.query) > http::kMaxHeadBytes)
    return fail(client_fault(errors::RequestHeaderSectionTooLarge, "request head over the size limit"));
  // The OIDC provider's documents (federation), under the issuer's path (which may be below an account's).
  if (OidcAnswer doc; oidc_route(engine_.config().federation, head_.method, head_.path, doc)) {
    op_name_ = doc.op;
    if (doc.error) return fail(client_fault(*doc.error));
    return respond(200, std::move(doc.headers), Body{doc.body.empty() ? BodyKind::None : BodyKind::Bytes, std::move(doc.body), 0});
  }

  const std::string raw_path = head_.path;  // what a SigV4 signature covers, before any virtual-host rewrite
  if (sts::is_endpoint(raw_path)) {  // the proxy's STS: no account is named ".sts" (a bucket name starts alphanumeric)
    sts_ = std::make_unique<sts::Endpoint>(
        sts::Endpoint::Services{engine_.config(), engine_.registry(), engine_.sessions(), engine_.inbound_keys(), engine_.jwks()}, id_,
        head_.method, raw_path, head_.query, head_.headers, head_.has_body, request_id_);
    phase_ = Phase::Sts;
    return drive_sts();
  }
  if (!engine_.config().virtual_host_domain.empty())
    if (const std::string* host = find_header(head_.headers, "host"))
      head_.path = path_style(*host, engine_.config().virtual_host_domain, head_.path);
  switch (parse_route(head_.path, route_)) {
    case RouteError::None: break;
    case RouteError::BadEncoding: return fail(client_fault(errors::InvalidURI, "malformed percent-encoding"));
    case RouteError::KeyTooLong: return fail(client_fault(errors::KeyTooLong));
    case RouteError::DotSegment: return fail(client_fault(errors::InvalidArgument, "key has a '.' or '..' segment"));
  }
  if (head_.method != "OPTIONS") {  // a preflight's query is not the request's: never parsed
    if (!http::parse_query(head_.query, params_))
      return fail(client_fault(errors::InvalidArgument, "malformed query string"));
    if (std::string_view dup = http::duplicate_param(params_); !dup.empty())  // ambiguous: which copy counts?
      return fail(client_fault(starts_with(dup, "X-Amz-") ? errors::AuthorizationQueryParametersError : errors::InvalidArgument,
                               "repeated query parameter " + std::string(dup)));
  }
  raw_path_ = raw_path;
  ns_.emplace(engine_.config());
  // Only a token of ours is opened: an AWS session token from the caller's environment authenticates as an unknown
  // key does (unknown_keys_as_anonymous: served as anonymous), as it did before the proxy had an STS.
  const std::string* token = auth::session_token(head_.headers, params_);
  if (token && head_.method != "OPTIONS" && engine_.config().sts.enabled && auth::is_our_token(*token)) {
    const auth::SignedRequest req{head_.method, raw_path_, head_.path, params_, head_.headers, head_.has_body};
    open_session_ = std::make_unique<auth::OpenSession>(engine_.sessions(), engine_.config().sts, id_, *token,
                                                        std::string(auth::claimed_key_id(req)));
    phase_ = Phase::Session;
    return drive_session();
  }
  return resolve_registry();
}

Action ClientRequest::drive_session() {
  Action a = open_session_->next(now_ms_);
  if (a.kind != ActionKind::Done) return a;
  std::unique_ptr<auth::OpenSession> done = std::move(open_session_);
  if (done->failed()) {
    const auth::SignedRequest req{head_.method, raw_path_, head_.path, params_, head_.headers, head_.has_body};
    claimed_key_ = std::string(auth::claimed_key_id(req).substr(0, 128));
    return fail(Failure(done->failure()));
  }
  session_ = done->session();
  return resolve_registry();
}

Action ClientRequest::drive_sts() {
  Action a = sts_->next(now_ms_);
  if (a.kind != ActionKind::Done) return a;
  op_name_ = sts_->op_name();
  auth_scheme_ = sts_->auth_scheme();
  for (auto& t : sts_->take_background()) background_.push_back(std::move(t));
  if (const Failure* f = sts_->failure()) {
    code_ = f->error->code;
    detail_ = f->detail;
    fault_ = fault_name(f->fault);
  }
  sts::Endpoint::Answer& answer = sts_->answer();
  return respond(answer.status, std::move(answer.headers), Body{BodyKind::Bytes, std::move(answer.body), 0});
}

Action ClientRequest::resolve_registry() {
  if (engine_.config().registry.enabled) {
    std::vector<std::string> names = registry_names();
    if (!names.empty()) {
      resolve_ = std::make_unique<registry::Resolve>(engine_.registry(), engine_.config(), id_, std::move(names));
      phase_ = Phase::Resolving;
      return drive_resolve();
    }
  }
  return after_resolve();
}

// The registry entries this request needs that the static config does not hold: its account, a copy's source
// account, the access key its signature names (for a session: its source key, and its role), and for ListBuckets
// the account list. Names that cannot exist (not an account name, key id or role name by the naming rules) are not
// asked for: a scanner's garbage costs no registry read.
std::vector<std::string> ClientRequest::registry_names() const {
  const Config& cfg = engine_.config();
  std::vector<std::string> names;
  auto want_account = [&](std::string_view account) {
    if (valid_account_name(account) && !cfg.find(account)) names.push_back(registry::account_entry(account));
  };
  if (route_.kind == Route::Kind::Root) {
    if (head_.method == "GET" || head_.method == "HEAD") names.emplace_back(registry::kAccountList);
  } else {
    want_account(route_.account);
  }
  if (const std::string* source = find_header(head_.headers, "x-amz-copy-source"))
    if (CopySource src; parse_copy_source(*source, src) == CopySourceError::None) want_account(src.route.account);
  const auth::SignedRequest req{head_.method, raw_path_, head_.path, params_, head_.headers, head_.has_body};
  // A session signs with its own key id; its source key is the one to look up (auth::admit).
  const std::string_view key = session_ ? std::string_view(session_->source_key) : auth::claimed_key_id(req);
  if (valid_key_id(key) && !cfg.find_key(key)) names.push_back(registry::key_entry(key));
  // ...and the role it was issued for (auth::admit): a role S3P_CONFIG lacks is the registry's.
  if (session_ && valid_role_name(session_->role) && !cfg.find_role(session_->role))
    names.push_back(registry::role_entry(session_->role));
  return names;
}

Action ClientRequest::drive_resolve() {
  Action a = resolve_->next(now_ms_);
  if (a.kind != ActionKind::Done) return a;
  std::unique_ptr<registry::Resolve> done = std::move(resolve_);
  if (registry_source_.empty() || done->source() != "cache") registry_source_ = done->source();
  if (!done->note().empty()) registry_note_ = done->note();
  for (auto& t : done->take_background()) background_.push_back(std::move(t));  // colo-tier writes
  if (done->failed()) return fail(Failure(done->failure()));
  done->pin(*ns_, static_cast<int64_t>(std::floor(now_ms_ / 1000)));
  // A paged account index: ListBuckets reads the one page its continuation token starts in, in a second round.
  const AccountIndex* index = ns_->account_index();
  if (index && !index->pages.empty() && !listing_page_asked_) {
    listing_page_asked_ = true;
    std::string from;
    list_buckets_start(params_, from);  // a token that is not ours: the first page (the planner refuses it)
    const AccountIndex::Page* page = index->page_for(from);  // never null: the first page covers from ""
    ns_->set_listing_page(index->end_of(*page));
    resolve_ = std::make_unique<registry::Resolve>(engine_.registry(), engine_.config(), id_,
                                                   std::vector<std::string>{page->entry});
    return drive_resolve();
  }
  return after_resolve();
}

// With every name this request needs resolved: answer a preflight, or authenticate, classify and plan.
Action ClientRequest::after_resolve() {
  if (head_.method == "OPTIONS") return preflight();  // after routing: what may be read cross-origin depends on it
  if (session_) {  // the session signs as a key of its own, granting what its role and source key still grant
    std::shared_ptr<const KeyEntry> as;
    std::string why;
    if (const S3Error* e = auth::admit(*session_, *ns_, static_cast<int64_t>(std::floor(now_ms_ / 1000)), as, why))
      return fail(client_fault(*e, std::move(why)));
    ns_->pin_key(std::move(as));
  }
  Failure refusal;
  const bool authenticated = authenticate(refusal);
  Parsed<S3Operation> op = classify(head_.method, route_.kind, params_, head_.headers);
  if (op.ok) op_name_ = operation_name(op.value);  // a refused signature's log line still names what was asked
  if (!authenticated) return fail(std::move(refusal));
  if (!op.ok) return fail(std::move(op.failure));
  ctx_.emplace(OpContext{engine_.config(), op.value, head_.method, head_.headers, params_, caller_, payload_hash_,
                         nullptr, nullptr, {}, false, {}, listing_view_, &chunk_seed_, &engine_.objects(), id_, &*ns_});
  if (!resolve_target(refusal)) return fail(std::move(refusal));
  return plan();
}

bool ClientRequest::authenticate(Failure& refusal) {
  const auth::SignedRequest req{head_.method, raw_path_, head_.path, params_, head_.headers, head_.has_body};
  auth::Verdict v = auth::authenticate(req, *ns_, static_cast<int64_t>(std::floor(now_ms_ / 1000)),
                                       engine_.inbound_keys());
  auth_scheme_ = v.scheme;
  auth::strip_auth_params(params_);
  if (v.error) {
    claimed_key_ = std::move(v.claimed_key_id);
    refusal = client_fault(*v.error, std::move(v.detail));
    return false;
  }
  caller_ = v.key;
  payload_hash_ = std::move(v.payload_hash);
  chunk_seed_ = std::move(v.chunk_seed);
  return true;
}

bool ClientRequest::resolve_target(Failure& refusal) {
  if (route_.kind == Route::Kind::Root) return true;
  const Account* account = ns_->find_account(route_.account);
  if (!account) return refusal = client_fault(errors::NoSuchBucket), false;
  ctx_->account = account;
  if (route_.kind == Route::Kind::Account) return true;
  if (account->flat) route_.key = route_.tail;
  const Repository* repo = account->flat ? &account->repositories.front() : account->find(route_.repo);
  // A repository that does not exist answers as a private one does to a caller without access (S3's answer to a
  // key nobody may list), so that private repositories' names cannot be told from names that are not there —
  // unless the caller can see every repository of the account: then nothing is hidden, and S3's answer to a
  // caller who may list is 404 (which GDAL, rclone and the SDKs take as "not there", not as an error).
  if (!repo) {
    bool sees_all = true;
    for (const Repository& r : account->repositories) sees_all = sees_all && auth::can_see(caller_, *account, r);
    const bool read = head_.method == "GET" || head_.method == "HEAD";
    return refusal = client_fault(read && sees_all ? errors::NoSuchKey : errors::AccessDenied, "unknown repository"), false;
  }
  ctx_->repo = repo;
  ctx_->key = route_.key;
  return true;
}

Action ClientRequest::plan() {
  if (phase_ == Phase::BodyRead && !ctx_->body_read)
    return fail(client_fault(body_problem_ == "timeout" ? errors::RequestTimeout : errors::MalformedXML,
                             "request body: " + body_problem_));
  // A backend whose dialect has no writes refuses them before anything is read or sent.
  if (ctx_->repo && ctx_->op != S3Operation::GetObject && ctx_->op != S3Operation::HeadObject &&
      !dialect::of(*ctx_->repo->backend).capabilities().writes)
    return fail(client_fault(errors::NotImplemented, std::string(operation_name(ctx_->op)) + " on a " +
                                                         std::string(dialect::of(*ctx_->repo->backend).name()) + " backend"));
  const Planner planner = planner_for(ctx_->op);
  if (!planner) return fail(core_fault("no planner for " + std::string(operation_name(ctx_->op))));
  return carry_out(planner(*ctx_));
}

Action ClientRequest::carry_out(Planned&& planned) {
  if (planned.op) {
    op_ = std::move(planned.op);
    if (OpStep now; op_->answer_now(now_ms_, now)) return take_step(std::move(now));
    return begin_round();
  }
  if (planned.read_body) {
    if (phase_ == Phase::BodyRead || !head_.has_body)
      return fail(client_fault(errors::MissingRequestBody, "the operation needs a request body"));
    phase_ = Phase::ReadingBody;
    Action a;
    a.kind = ActionKind::ReadBody;
    a.number = planned.read_body;
    a.deadline_ms = kBodyReadDeadlineMs;
    return a;
  }
  return take_step(std::move(planned.answer));
}

Action ClientRequest::begin_round() {
  if (++rounds_ > std::max(kMaxRounds, op_->round_budget())) return fail(core_fault("too many backend rounds"));
  const Backend& b = op_->backend();
  switch (b.auth) {
    case BackendAuth::Anonymous: return send_round(nullptr);
    case BackendAuth::Static: {
      cred_source_ = "static";
      sigv4::Credentials keys{b.access_key_id, b.secret_access_key, b.session_token};
      const BackendCredentials creds = BackendCredentials::keys(keys);
      return send_round(&creds);
    }
    case BackendAuth::SharedKey: {
      cred_source_ = "static";
      const BackendCredentials creds = BackendCredentials::azure_shared_key(b.account_key);
      return send_round(&creds);
    }
    case BackendAuth::Sas: {
      cred_source_ = "static";
      const BackendCredentials creds = BackendCredentials::azure_sas(b.sas_secret);
      return send_round(&creds);
    }
    case BackendAuth::WebIdentity:
    case BackendAuth::AssumeRole:
    case BackendAuth::GcpWorkloadIdentity:
    case BackendAuth::EntraWorkloadIdentity:
      creds_op_ = engine_.federation().acquire(engine_, b, id_);
      phase_ = Phase::Credentials;
      return drive_credentials();
  }
  return fail(core_fault("unknown backend auth"));
}

Action ClientRequest::drive_credentials() {
  Action a = creds_op_->next(now_ms_);
  if (a.kind != ActionKind::Done) return a;
  std::unique_ptr<CredentialOp> op = std::move(creds_op_);
  // An operation of several rounds acquires credentials for each; the log names the round that did the work
  // (an exchange or an L2 read), not the L1 hits after it.
  if (cred_source_.empty() || op->source() != "L1") cred_source_ = op->source();
  if (!op->note().empty()) cred_note_ = op->note();
  if (!op->ok()) return fail(backend_fault(op->error(), op->detail()));
  // GCP and Entra workload identity: the tiers hold a bearer token (in the session token's place), not SigV4 keys.
  const BackendAuth kind = op_->backend().auth;
  const BackendCredentials creds = kind == BackendAuth::GcpWorkloadIdentity || kind == BackendAuth::EntraWorkloadIdentity
                                       ? BackendCredentials::bearer_token(op->credentials().session_token)
                                       : BackendCredentials::keys(op->credentials());
  return send_round(&creds);
}

Action ClientRequest::send_round(const BackendCredentials* creds) {
  Action a = op_->step(creds, now_ms_, engine_.signing_keys());
  if (a.kind == ActionKind::Fetch && a.fetch.url.empty()) return fail(core_fault("backend request refused as built"));
  if (a.kind == ActionKind::FetchBatch)
    for (const FetchAction& f : a.batch)
      if (f.url.empty()) return fail(core_fault("backend request refused as built"));
  awaited_ = a.kind;
  phase_ = Phase::Awaiting;
  return a;
}

Action ClientRequest::on_result(Result&& r) {
  if (r.kind == ActionKind::Fetch || r.kind == ActionKind::OpenChunks) {
    backend_ms_ = std::max(backend_ms_, 0.0) + r.fetch.elapsed_ms;
    if (r.kind == ActionKind::Fetch) backend_status_ = r.fetch.status;
    // The answer in S3's names (metadata, storage class) before any operation reads it.
    if (r.kind == ActionKind::Fetch && op_) dialect::of(op_->backend()).answer_headers(r.fetch.headers);
  }
  if (r.kind == ActionKind::FetchBatch) {  // concurrent: the round took as long as its slowest fetch
    double slowest = 0;
    uint32_t worst = 0;  // the log's status: the round's highest
    for (FetchResult& f : r.batch) {
      slowest = std::max(slowest, f.elapsed_ms);
      worst = std::max(worst, f.status);
      if (op_) dialect::of(op_->backend()).answer_headers(f.headers);
    }
    backend_ms_ = std::max(backend_ms_, 0.0) + slowest;
    backend_status_ = worst;
  }
  return take_step(op_->on_result(std::move(r), now_ms_));
}

Action ClientRequest::take_step(OpStep&& step) {
  for (auto& t : step.background) background_.push_back(std::move(t));
  if (step.kind == OpStep::Kind::Again) return begin_round();
  forget_changed_objects();
  if (step.kind == OpStep::Kind::Error) return fail(std::move(step.failure));
  return respond(step.status, std::move(step.headers), std::move(step.body));
}

// A write or delete through the proxy, whatever its outcome (a failed write may still have landed): the object
// cache must not answer from what it knew of those objects — here at once, in the Cache API soon after.
void ClientRequest::forget_changed_objects() {
  if (!op_ || !engine_.configured() || !engine_.config().any_cached) return;
  std::vector<ObjectRef> changed;
  op_->changed_objects(changed);
  for (const ObjectRef& o : changed)
    for (const std::string& identity : cache::identities_at(*ns_, *o.backend, o.key)) {
      engine_.objects().forget(identity);
      background_.push_back(
          CacheWrite::remove("ObjectCacheDelete", cache::meta_url(identity, engine_.config().object_cache_name_key)));
    }
}

Action ClientRequest::preflight() {
  op_name_ = "Preflight";
  const std::string* origin = find_header(head_.headers, "origin");
  if (!origin) return fail(client_fault(errors::CorsMissingOrigin, "preflight without Origin"));
  if (!cors_allows(cors_policy(*ns_, route_), origin, &engine_.config()))
    return fail(client_fault(errors::CorsForbidden, "origin not in cors_origins"));
  // Every method S3 clients use; whether the caller may is decided on the actual request.
  Headers h = {{"access-control-allow-methods", "GET, HEAD, PUT, POST, DELETE"}, {"access-control-max-age", "86400"}};
  if (const std::string* req = find_header(head_.headers, "access-control-request-headers"); req && !has_ctl_break(*req))
    h.push_back({"access-control-allow-headers", *req});
  return respond(204, std::move(h), {});
}

Action ClientRequest::fail(Failure&& f) {
  const S3Error& e = *f.error;
  detail_ = std::move(f.detail);
  code_ = e.code;
  fault_ = fault_name(f.fault);
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
  const std::string* origin = find_header(head_.headers, "origin");
  const Config* cfg = engine_.configured() ? &engine_.config() : nullptr;
  const bool readable = append_cors(headers, cfg && ns_ ? cors_policy(*ns_, route_) : CorsPolicy::Anyone, origin, cfg);
  // A stored file must never be sniffed into HTML or script on the origin every account shares.
  headers.push_back({"x-content-type-options", "nosniff"});
  // Exposing headers only matters to a browser's cross-origin read, which always carries Origin.
  if (origin && readable) headers.push_back({"access-control-expose-headers", std::string(kExposeHeaders)});
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
  uint64_t bytes = 0;  // digits, as the core writes it (no strtod: its float scanner is 4 KB of first-request code)
  if (const std::string* len = find_header(headers, "content-length"); len && http::parse_decimal(*len, bytes))
    log.num("bytes", static_cast<double>(bytes));
  log.str("auth", auth_scheme_);
  if (caller_) log.str("key", caller_->id);
  else if (!claimed_key_.empty()) log.str("claimed_key", claimed_key_);
  if (session_) {
    log.str("role", session_->role).str("session", session_->session_name);
    if (session_->provider.empty()) log.str("source_key", session_->source_key);
    else log.str("provider", session_->provider).str("subject", session_->subject);
  }
  if (sts_) sts_->log_fields(log);
  if (!cred_source_.empty()) log.str("creds", cred_source_);
  if (!cred_note_.empty()) log.str("creds_note", cred_note_);
  if (!registry_source_.empty()) log.str("registry", registry_source_);
  if (!registry_note_.empty()) log.str("registry_note", registry_note_);
  if (backend_ms_ >= 0) log.num("backend_ms", backend_ms_);
  if (backend_status_ != 0) log.num("backend_status", backend_status_);
  if (rounds_ > 1) log.num("rounds", rounds_);
  if (op_) op_->log_fields(log);
  if (!code_.empty()) log.str("code", code_).str("fault", fault_);
  if (!detail_.empty()) log.str("detail", detail_);
  log.num("total_ms", total);

  Action a;
  a.kind = ActionKind::Respond;
  a.respond.status = status;
  a.respond.headers = std::move(headers);
  a.respond.body = std::move(body);
  a.respond.log_line = log.finish();
  // A backend's body streamed straight through may stall after its headers with no signal to the host: it gets a
  // deadline. (An OpenChunks answer's parts each have the fetch deadline of a buffered chunk already.)
  if (a.respond.body.kind == BodyKind::Handle && op_ && awaited_ == ActionKind::Fetch)
    a.respond.body_deadline_ms = stream_deadline_ms(op_->backend(), a.respond.headers);
  for (auto& t : background_) a.respond.background.push_back(engine_.spawn(std::move(t)));
  background_.clear();
  phase_ = Phase::Answered;
  return a;
}

}  // namespace s3p
