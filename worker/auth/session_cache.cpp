#include "worker/auth/session_cache.h"

#include <cmath>

#include "worker/crypto/sha256.h"

namespace s3p::auth {

std::string SessionCache::key_of(std::string_view token) { return crypto::hex(crypto::sha256(token)); }

std::shared_ptr<const Session> SessionCache::find(const std::string& key, int64_t now_s) {
  auto it = slots_.find(key);
  if (it == slots_.end()) return nullptr;
  if (now_s >= it->second.session->expires_s) {
    lru_.erase(it->second.lru);
    slots_.erase(it);
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return it->second.session;
}

void SessionCache::store(const std::string& key, std::shared_ptr<const Session> session) {
  if (auto it = slots_.find(key); it != slots_.end()) {
    it->second.session = std::move(session);
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return;
  }
  while (slots_.size() >= kCapacity && !lru_.empty()) {
    slots_.erase(lru_.back());
    lru_.pop_back();
  }
  lru_.push_front(key);
  slots_.emplace(key, Slot{std::move(session), lru_.begin()});
}

OpenSession::OpenSession(SessionCache& cache, const StsSettings& settings, uint32_t task, std::string_view token,
                         std::string claimed_key)
    : cache_(cache), settings_(settings), task_(task), claimed_(std::move(claimed_key)) {
  if (!settings_.enabled) refuse(errors::InvalidToken, "a session token, but this deployment has no sts section");
  else if (claimed_.empty()) refuse(errors::InvalidToken, "a session token on a request without a signature");
  else if (!token_sealed(token, sealed_)) refuse(errors::InvalidToken, "session token is not one of ours");
  else key_ = SessionCache::key_of(token);
}

OpenSession::~OpenSession() { release(); }

void OpenSession::release() {
  if (leading_) cache_.flights().finish(key_, task_);
  if (waiting_) cache_.flights().stop_waiting(key_, task_);
  leading_ = waiting_ = false;
}

void OpenSession::refuse(const S3Error& e, std::string detail) {
  failed_ = true;
  failure_ = client_fault(e, std::move(detail));
  state_ = State::Done;
  release();
}

bool OpenSession::accept(std::shared_ptr<const Session> s, double now_ms) {
  if (s->access_key_id != claimed_) {
    refuse(errors::InvalidToken, "session token is not for the access key id that signed");
    return false;
  }
  if (static_cast<int64_t>(std::floor(now_ms / 1000)) >= s->expires_s) {
    refuse(errors::ExpiredToken, "session expired");
    return false;
  }
  session_ = std::move(s);
  state_ = State::Done;
  release();
  return true;
}

Action OpenSession::next(double now_ms) {
  Action a;
  while (state_ == State::Look) {
    if (auto s = cache_.find(key_, static_cast<int64_t>(std::floor(now_ms / 1000)))) {
      accept(std::move(s), now_ms);
      break;
    }
    if (!cache_.flights().lead_or_wait(key_, task_)) {
      state_ = State::Waiting;
      waiting_ = true;
      a.kind = ActionKind::Wait;
      a.number = 10000;  // the leader's Open is a host primitive: it answers long before this
      return a;
    }
    leading_ = true;
    state_ = State::Opening;
    a.kind = ActionKind::Open;
    a.call.name = settings_.session_key_secret;
    a.call.aad = token_aad(claimed_);
    a.call.data = sealed_;
    return a;
  }
  if (state_ != State::Done) {  // a result is awaited: the host misused the seam
    refuse(errors::InternalError, "");
    failure_ = host_fault("session: next() while a result is awaited");
  }
  return a;  // Done
}

void OpenSession::feed(Result&& r, double now_ms) {
  if (state_ == State::Waiting && r.kind == ActionKind::Wait) {
    waiting_ = false;
    cache_.flights().stop_waiting(key_, task_);
    state_ = State::Look;  // the leader's session, or (it failed) lead ourselves
    return;
  }
  if (state_ != State::Opening || r.kind != ActionKind::Open) {
    refuse(errors::InternalError, "");
    failure_ = host_fault("session: unexpected result");
    return;
  }
  auto s = std::make_shared<Session>();
  if (!r.flag) return refuse(errors::InvalidToken, "session token does not open (altered, another key's, or another deployment's)");
  if (!parse_session_plaintext(r.data, *s)) return refuse(errors::InvalidToken, "session token opens to no session");
  source_ = "opened";
  if (s->access_key_id == claimed_ && static_cast<int64_t>(std::floor(now_ms / 1000)) < s->expires_s)
    cache_.store(key_, s);
  accept(std::move(s), now_ms);
}

}  // namespace s3p::auth
