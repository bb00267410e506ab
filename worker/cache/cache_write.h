// A background task that stores or deletes one Cache API entry of the object cache (an object's metadata).
// Spawned, so no request waits for it; the object cache is an optimisation, so a failure is only logged.
#pragma once
#include <memory>
#include <string>

#include "worker/http/headers.h"
#include "worker/proto/task.h"

namespace s3p::cache {

class CacheWrite : public Task {
 public:
  static std::unique_ptr<Task> put(std::string url, std::string data, uint32_t ttl_s);
  static std::unique_ptr<Task> remove(std::string url);
  Action next(double now_ms) override;
  void feed(Result&& result, double now_ms) override;

 private:
  CacheWrite(ActionKind kind, std::string url, std::string data, Headers headers);
  ActionKind kind_;
  std::string url_, data_;
  Headers headers_;
  enum class Step { Ask, Await, Done } step_ = Step::Ask;
  std::string failure_;
};

}  // namespace s3p::cache
