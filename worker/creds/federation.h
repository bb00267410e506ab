// Backend credentials by web-identity federation: the per-isolate L1 cache (single-flight, refresh-ahead), the
// per-colo L2 cache (Cache API, encrypted) and the STS exchange. Process-wide state, owned by the Engine.
#pragma once
#include <cstdint>
#include <memory>

#include "worker/config/config.h"
#include "worker/creds/credential_op.h"

namespace s3p {

class Engine;

class Federation {
 public:
  // Starts obtaining credentials for a WebIdentity backend on behalf of task `task_id` (which may be parked and
  // woken by id). The returned op yields the actions to perform.
  std::unique_ptr<CredentialOp> acquire(Engine& engine, const Backend& backend, uint32_t task_id);
};

}  // namespace s3p
