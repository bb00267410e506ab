// A background task that stores or deletes one Cache API entry (the object cache's metadata, the registry's colo
// tier). Spawned, so no request waits for it; both are optimisations, so a failure is only logged.
#pragma once
#include <memory>
#include <string>

#include "worker/http/headers.h"
#include "worker/proto/task.h"

namespace s3p {

class CacheWrite : public Task {
 public:
  // `op`: what its log line (only a failure's) calls it, e.g. "ObjectCachePut".
  static std::unique_ptr<Task> put(std::string_view op, std::string url, std::string data, uint32_t ttl_s);
  static std::unique_ptr<Task> remove(std::string_view op, std::string url);
  Action next(double now_ms) override;
  void feed(Result&& result, double now_ms) override;

 private:
  CacheWrite(std::string_view op, ActionKind kind, std::string url, std::string data, Headers headers);
  std::string_view op_;  // a literal
  ActionKind kind_;
  std::string url_, data_;
  Headers headers_;
  enum class Step { Ask, Await, Done } step_ = Step::Ask;
  std::string failure_;
};

}  // namespace s3p
