// What credential code needs from the engine that runs it, and nothing more: start a background task, wake a
// parked one, the process-wide federation state and its settings. The Engine implements it (so creds/ never
// includes core/); a test can too.
#pragma once
#include <cstdint>
#include <memory>

#include "worker/config/federation.h"
#include "worker/proto/task.h"

namespace s3p {

class Federation;

class CredentialHost : public Waker {
 public:
  // Registers a background task; the host learns its id from a Spawn action and runs it under waitUntil.
  virtual uint32_t spawn(std::unique_ptr<Task> task) = 0;
  virtual Federation& federation() = 0;
  virtual const FederationSettings& federation_settings() const = 0;

 protected:
  ~CredentialHost() = default;  // not owned through this interface
};

}  // namespace s3p
