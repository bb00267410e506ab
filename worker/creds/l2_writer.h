// The background task that stores one STS response in L2: seal it (AES-GCM, AAD = l2::seal_binding), then put it in
// the Cache API with max-age = its TTL. Spawned, so it runs under waitUntil and never delays a request. A failure
// is only logged (its Done carries the line): L2 is an optimisation, and the next miss simply writes again.
#pragma once
#include <string>

#include "worker/proto/task.h"

namespace s3p {

class L2Writer : public Task {
 public:
  L2Writer(std::string key_secret, std::string cache_key, std::string binding, std::string plaintext, int64_t ttl_s);
  Action next(double now_ms) override;
  void feed(Result&& result, double now_ms) override;

 private:
  void fail(std::string detail);
  enum class Step { Seal, Put, Done } step_ = Step::Seal;
  bool awaiting_ = false;
  bool stored_ = false, logged_ = false;
  double start_ms_ = -1;
  std::string detail_;  // why it failed (log only: the host's error text, never the data)
  std::string key_secret_, cache_key_, binding_, data_;  // binding_: the AAD; data_: the plaintext, then sealed
  int64_t ttl_s_;
};

}  // namespace s3p
