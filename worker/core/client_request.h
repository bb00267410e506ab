// One client request: route, decide, (sub)request the backend, and answer. Stages are explicit; every exit
// goes through `respond`, which adds the common headers (request id, CORS, Server-Timing) and the log line.
#pragma once
#include <optional>
#include <string>

#include "worker/core/engine.h"
#include "worker/core/task.h"
#include "worker/route/route.h"
#include "worker/s3/errors.h"

namespace s3p {

class ClientRequest : public Task {
 public:
  ClientRequest(Engine& engine, RequestHead&& head, double now_ms);
  Action next(double now_ms) override;
  void feed(Result&& result, double now_ms) override;

 private:
  Action plan(double now_ms);
  Action plan_object(const Repository& repo, double now_ms);
  Action on_backend(FetchResult&& r, double now_ms);
  Action preflight();
  Action error(const S3Error& e, std::string detail = {});
  Action respond(uint32_t status, Headers&& headers, Body&& body);
  std::string resource() const;

  Engine& engine_;
  RequestHead head_;
  std::string request_id_;
  Route route_;
  double start_ms_;
  double now_ms_;
  bool head_only_;
  bool started_ = false;
  bool finished_ = false;
  std::optional<Action> ready_;

  // For the log line.
  std::string_view op_ = "Unknown";
  std::string_view code_;  // our error code, if answering with one
  std::string detail_;
  std::string backend_code_;
  double backend_ms_ = -1;
  uint32_t backend_status_ = 0;
};

}  // namespace s3p
