// One client request as an explicit phase machine: route, authenticate, classify (the operation table), plan
// (the operation's own file decides), optionally read a small body, obtain credentials, talk to the backend, and
// answer. Every exit goes through `respond`, which adds the common headers (request id, CORS, Server-Timing) and
// the log line.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "worker/auth/session_cache.h"
#include "worker/core/engine.h"
#include "worker/creds/credential_op.h"
#include "worker/ops/backend_op.h"
#include "worker/ops/op_context.h"
#include "worker/proto/task.h"
#include "worker/registry/resolve.h"
#include "worker/route/route.h"
#include "worker/s3/failure.h"
#include "worker/sts/endpoint.h"

namespace s3p {

class ClientRequest : public Task {
 public:
  ClientRequest(Engine& engine, uint32_t id, RequestHead&& head, double now_ms);
  Action next(double now_ms) override;
  void feed(Result&& result, double now_ms) override;

 private:
  // Where the request is. `next` acts on the phase; `feed` only records a result and moves to the phase that
  // consumes it.
  enum class Phase {
    Start,        // next: route, then resolve registry entries (if any), authenticate, classify, plan
    Sts,          // the proxy's STS endpoint (/.sts) drives (its actions, its results): sts/endpoint.h
    Session,      // a session token is being opened (its actions, its results): auth/session_cache.h
    Resolving,    // the registry lookups drive (their actions, their results): registry/resolve.h
    ReadingBody,  // a ReadBody action is out
    BodyRead,     // next: plan again, with the body
    Credentials,  // the credential operation drives (its actions, its results)
    Awaiting,     // the operation's action is out (a backend Fetch, or a cache action)
    Received,     // next: hand its result to the operation
    Misused,      // the host fed something that was not asked for: next answers 500
    Answered,     // Respond was given: next is Done
  };

  Action start();
  // Session credentials (the proxy's STS): the token is opened before the registry is asked for the session's
  // source key; the session is admitted (auth::admit) just before authentication.
  Action drive_session();
  Action drive_sts();
  Action resolve_registry();
  std::vector<std::string> registry_names() const;
  Action drive_resolve();
  Action after_resolve();
  Action plan();
  Action carry_out(Planned&& planned);
  bool authenticate(Failure& refusal);  // against raw_path_: what a SigV4 signature covers
  bool resolve_target(Failure& refusal);  // account, repository and key for the operation
  // Backend operations: obtain credentials for op_->backend(), send its request, hand back the response.
  Action begin_round();
  Action drive_credentials();
  Action send_round(const BackendCredentials* creds);
  Action on_result(Result&& r);
  // An operation's step: answer it, or go another round; collects its background work and what it changed.
  Action take_step(OpStep&& step);
  void forget_changed_objects();

  Action preflight();
  Action fail(Failure&& f);
  Action respond(uint32_t status, Headers&& headers, Body&& body);

  Engine& engine_;
  uint32_t id_;
  RequestHead head_;
  std::string request_id_;
  Phase phase_ = Phase::Start;
  Route route_;
  std::vector<http::QueryParam> params_;  // the decoded query, authentication parameters removed
  const AccessKey* caller_ = nullptr;     // the verified access key; null = anonymous
  std::string_view auth_scheme_ = "anonymous";
  std::string claimed_key_;  // a refused signature's access key id (log only)
  std::string payload_hash_;  // the x-amz-content-sha256 a SigV4 header signature declared ("" otherwise)
  auth::ChunkSeed chunk_seed_;  // what a signed-chunks body's signatures chain from
  std::optional<Namespace> ns_;   // the static config plus the registry entries this request resolved (pinned)
  std::unique_ptr<registry::Resolve> resolve_;
  std::unique_ptr<auth::OpenSession> open_session_;
  std::shared_ptr<const auth::Session> session_;  // the session a request's token opened to
  std::unique_ptr<sts::Endpoint> sts_;
  bool listing_page_asked_ = false;  // a paged account index's page: resolved in a second round, once
  std::string raw_path_;          // the path as received (what a SigV4 signature covers)
  std::optional<OpContext> ctx_;  // the operation's view of the request, once classified
  Account listing_view_;  // the part of an account a listing may show this caller (outlives op_)
  double start_ms_;
  double now_ms_;
  bool head_only_;
  std::unique_ptr<BackendOp> op_;
  std::unique_ptr<CredentialOp> creds_op_;
  ActionKind awaited_ = ActionKind::Fetch;  // Awaiting: the kind of result expected
  Result received_;       // Received: the operation's result
  std::vector<std::unique_ptr<Task>> background_;  // spawned when the request responds
  std::string misuse_;    // Misused: what the host did
  std::string body_problem_;  // BodyRead without a body: why
  int rounds_ = 0;

  // For the log line.
  std::string_view op_name_ = "Unknown";
  std::string_view code_;  // our error code, if answering with one
  std::string detail_;
  std::string_view fault_;
  std::string_view cred_source_;
  std::string_view registry_source_;
  std::string registry_note_;
  std::string cred_note_;
  double backend_ms_ = -1;
  uint32_t backend_status_ = 0;
};

}  // namespace s3p
