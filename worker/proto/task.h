// A unit of work the host drives through the action loop: a client request, or a background task it spawned.
#pragma once
#include <cstdint>

#include "worker/proto/action.h"

namespace s3p {

class Task {
 public:
  virtual ~Task() = default;
  // Called when the task is ready to act (just begun, fed, or after a no-result action like Spawn).
  virtual Action next(double now_ms) = 0;
  // The result of the last Fetch/Wait action.
  virtual void feed(Result&& result, double now_ms) = 0;
};

// Whoever can wake a task parked in Wait (the Engine): state shared by tasks (credential exchanges, object
// metadata being learnt) wakes its waiters through this.
class Waker {
 public:
  // Task `id`, parked in Wait, may now proceed.
  virtual void wake(uint32_t id) = 0;

 protected:
  ~Waker() = default;  // not owned through this interface
};

}  // namespace s3p
