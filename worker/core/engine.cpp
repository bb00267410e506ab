#include "worker/core/engine.h"

#include "worker/config/listing_token_key.h"
#include "worker/core/client_request.h"

namespace s3p {

bool Engine::init(std::string_view config_json, const Env& env, std::string_view seed) {
  if (!tasks_.empty()) return false;
  Config cfg;
  std::string error;
  if (load_config(config_json, env, cfg, error)) {
    if (cfg.listing_token_key_source == Config::TokenKeySource::None) use_per_core_listing_token_key(cfg, seed);
    config_ = std::move(cfg);
    config_error_.clear();
    registry_.clear();  // answers were parsed against the old deployment settings
    sessions_.clear();  // sealed under the old deployment's session key, perhaps
    jwks_.clear();
  } else {
    config_ = Config{};
    config_error_ = error;
    registry_.clear();
    sessions_.clear();
  }
  return true;
}

// Ids wrap after 2^32; an id still held by a live task (a long-running one outlives 2^32 later ones only in
// theory, but emplace would silently keep it and drop the new task) is skipped. 0 is never a valid id.
uint32_t Engine::allocate_id() {
  for (;;) {
    uint32_t id = next_id_++;
    if (next_id_ == 0) next_id_ = 1;
    if (tasks_.find(id) == tasks_.end()) return id;
  }
}

uint32_t Engine::begin(RequestHead&& head, double now_ms) {
  uint32_t id = allocate_id();
  tasks_.emplace(id, std::make_unique<ClientRequest>(*this, id, std::move(head), now_ms));
  return id;
}

uint32_t Engine::spawn(std::unique_ptr<Task> task) {
  uint32_t id = allocate_id();
  tasks_.emplace(id, std::move(task));
  return id;
}

Action Engine::next(uint32_t id, double now_ms) {
  auto it = tasks_.find(id);
  if (it == tasks_.end()) return Action{};  // Done: unknown ids are a host bug, answered harmlessly
  return it->second->next(now_ms);
}

void Engine::feed(uint32_t id, Result&& result, double now_ms) {
  auto it = tasks_.find(id);
  if (it != tasks_.end()) it->second->feed(std::move(result), now_ms);
}

void Engine::release(uint32_t id) { tasks_.erase(id); }

}  // namespace s3p
