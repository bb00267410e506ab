// One leader per key: the first task to ask for something nobody is fetching leads (it fetches); the others park
// in Wait as its waiters and are woken when it finishes — having learnt the thing, or given up — to look again.
// So N concurrent cold requests for one object, or one registry entry, make one origin read.
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "worker/proto/task.h"

namespace s3p {

class SingleFlight {
 public:
  explicit SingleFlight(Waker& waker) : waker_(waker) {}

  // True: `task` leads (it was first, or already leads). False: it is registered as a waiter.
  bool lead_or_wait(const std::string& key, uint32_t task) {
    auto [it, inserted] = flights_.try_emplace(key);
    if (inserted) {
      it->second.leader = task;
      return true;
    }
    if (it->second.leader == task) return true;
    auto& w = it->second.waiters;
    if (std::find(w.begin(), w.end(), task) == w.end()) w.push_back(task);
    return false;
  }
  // The leader is done: every waiter is woken to look again.
  void finish(const std::string& key, uint32_t task) {
    auto it = flights_.find(key);
    if (it == flights_.end() || it->second.leader != task) return;
    std::vector<uint32_t> waiters = std::move(it->second.waiters);
    flights_.erase(it);
    for (uint32_t w : waiters) waker_.wake(w);
  }
  // A waiter that stops waiting (its request went away, or it timed out) is no longer woken.
  void stop_waiting(const std::string& key, uint32_t task) {
    auto it = flights_.find(key);
    if (it == flights_.end()) return;
    auto& w = it->second.waiters;
    w.erase(std::remove(w.begin(), w.end(), task), w.end());
  }

 private:
  struct Flight {
    uint32_t leader = 0;
    std::vector<uint32_t> waiters;
  };
  Waker& waker_;
  std::unordered_map<std::string, Flight> flights_;
};

}  // namespace s3p
