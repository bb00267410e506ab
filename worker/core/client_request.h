// One client request: route, decide, drive a backend operation (with credentials), and answer. Every exit goes
// through `respond`, which adds the common headers (request id, CORS, Server-Timing) and the log line.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "worker/auth/authenticate.h"
#include "worker/core/backend_op.h"
#include "worker/core/engine.h"
#include "worker/creds/credential_op.h"
#include "worker/proto/task.h"
#include "worker/route/route.h"
#include "worker/s3/errors.h"

namespace s3p {

class ClientRequest : public Task {
 public:
  ClientRequest(Engine& engine, uint32_t id, RequestHead&& head, double now_ms);
  Action next(double now_ms) override;
  void feed(Result&& result, double now_ms) override;

 private:
  Action plan(double now_ms);
  // False with `refusal` set when the request's signature does not hold.
  bool authenticated(std::string_view raw_path, double now_ms, Action& refusal);
  Action plan_account(const Account& account, double now_ms);
  Action plan_listing_for(const Account& account, double now_ms);
  Action plan_object(const Account& account, const Repository& repo, double now_ms);
  Action plan_put(const Account& account, const Repository& repo, double now_ms);
  Action plan_delete(const Account& account, const Repository& repo, double now_ms);
  // Backend operations: obtain credentials for op_->backend(), send its request, hand back the response.
  Action start_op(std::unique_ptr<BackendOp> op, double now_ms);
  Action begin_round(double now_ms);
  Action drive_credentials(double now_ms);
  Action send_round(const sigv4::Credentials* creds, double now_ms);
  Action on_backend(FetchResult&& r, double now_ms);
  Action finish(OpStep&& step);

  Action preflight();
  Action error(const S3Error& e, std::string detail = {});
  Action respond(uint32_t status, Headers&& headers, Body&& body);

  Engine& engine_;
  uint32_t id_;
  RequestHead head_;
  std::string request_id_;
  Route route_;
  std::vector<http::QueryParam> params_;  // the decoded query, authentication parameters removed
  const AccessKey* caller_ = nullptr;     // the verified access key; null = anonymous
  std::string_view auth_scheme_ = "anonymous";
  std::string payload_hash_;  // the x-amz-content-sha256 a SigV4 header signature declared ("" otherwise)
  Account listing_view_;  // the part of an account a listing may show this caller (outlives op_)
  double start_ms_;
  double now_ms_;
  bool head_only_;
  bool started_ = false;
  bool finished_ = false;
  std::optional<Action> ready_;
  std::unique_ptr<BackendOp> op_;
  std::unique_ptr<CredentialOp> creds_op_;
  int rounds_ = 0;

  // For the log line.
  std::string_view op_name_ = "Unknown";
  std::string_view code_;  // our error code, if answering with one
  std::string detail_;
  std::string_view cred_source_;
  std::string cred_note_;
  double backend_ms_ = -1;
  uint32_t backend_status_ = 0;
};

}  // namespace s3p
