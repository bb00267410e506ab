// The proxy's own STS (README "Temporary credentials (STS)"): AssumeRole, signed by one of the proxy's access keys
// (static or registry), mints a stateless session (auth/session.h) for a role the deployment defines; and
// GetCallerIdentity names the caller (a key, or a session). One request to /.sts, as a phase machine of its own
// that the client request hands over to:
//
//   Start ─► [POST: ReadBody, the form] ─► parse Action/Version
//         ─► [a session token: open it (auth/session_cache.h)]
//         ─► [a registry: resolve the signing key, or the session's source key, and the role — the session's or
//             the one AssumeRole names — when S3P_CONFIG lacks them (registry/resolve.h)]
//         ─► admit the session, verify SigV4 for service "sts" over the body's hash
//         ─► GetCallerIdentity: answer
//            AssumeRole: validate, role trusted for the key? ─► Random (credentials) ─► Seal (the token) ─► answer
//         ─► AssumeRoleWithWebIdentity (unsigned: the token authenticates): web_identity.h, then the same
//            Random ─► Seal ─► answer
//
// Every refusal is STS XML (sts_errors.h); nothing here talks to a backend.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "worker/auth/session_cache.h"
#include "worker/config/config.h"
#include "worker/http/log_line.h"
#include "worker/proto/action.h"
#include "worker/proto/task.h"
#include "worker/registry/resolve.h"
#include "worker/sign/sigv4.h"
#include "worker/sts/jwks_cache.h"
#include "worker/sts/request.h"
#include "worker/sts/web_identity.h"

namespace s3p::sts {

class Endpoint {
 public:
  struct Services {
    const Config& config;
    registry::Cache& registry;
    auth::SessionCache& sessions;
    sigv4::SigningKeyCache& keys;
    JwksCache& jwks;
  };
  struct Answer {
    uint32_t status = 200;
    Headers headers;
    std::string body;
  };
  // `raw_query`: as received (without '?'); `headers`: must outlive the endpoint (the client request's).
  Endpoint(Services services, uint32_t task, std::string method, std::string raw_path, std::string_view raw_query,
           const Headers& headers, bool has_body, std::string request_id);

  Action next(double now_ms);  // Done: answer() is ready
  void feed(Result&& result, double now_ms);
  Answer& answer() { return answer_; }
  const Failure* failure() const { return failed_ ? &failure_ : nullptr; }
  std::string_view op_name() const { return op_name_; }
  std::string_view auth_scheme() const { return auth_scheme_; }
  void log_fields(LogLine& log) const;  // key, role, session (never a token or a secret)
  std::vector<std::unique_ptr<Task>> take_background() { return std::move(background_); }

 private:
  enum class Phase { Start, ReadingBody, BodyRead, Session, Resolving, WebIdentity, Random, Sealing, Done };
  Action start();
  Action after_params();
  Action drive_session();
  Action resolve();
  Action drive_resolve();
  Action authenticate();
  Action assume_role();
  Action drive_web_identity();
  Action issue();  // Random, then Seal: the credentials of issued_
  Action on_random(Result&& r);
  Action on_sealed(Result&& r);
  Action fail(Failure&& f);  // f.error: an STS error (sts_errors.h)
  Action fail_s3(const Failure& f);  // a shared step's S3 refusal, mapped
  Action reply(std::string body);

  Services svc_;
  uint32_t task_;
  std::string method_, raw_path_, request_id_;
  std::vector<http::QueryParam> query_;   // decoded: what the signature covers
  bool query_ok_ = true;
  std::vector<http::QueryParam> params_;  // the action's parameters (the form, or the query)
  const Headers& headers_;
  bool has_body_;
  std::string body_sha256_;
  double now_ms_ = 0;
  Phase phase_ = Phase::Start;
  Call call_kind_ = Call::GetCallerIdentity;
  Result received_;
  Namespace ns_;
  std::unique_ptr<auth::OpenSession> open_;
  std::shared_ptr<const auth::Session> session_;  // the caller's session, when signed with one
  std::unique_ptr<registry::Resolve> resolve_;
  std::unique_ptr<WebIdentity> web_;
  const AccessKey* caller_ = nullptr;
  AssumeRoleCall call_;
  auth::Session issued_;
  std::vector<std::unique_ptr<Task>> background_;
  Answer answer_;
  bool failed_ = false;
  Failure failure_;
  std::string_view op_name_ = "Sts";
  std::string_view auth_scheme_ = "anonymous";
  std::string claimed_key_;
  std::string_view registry_source_, session_source_;
};

}  // namespace s3p::sts
