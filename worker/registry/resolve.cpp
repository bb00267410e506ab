#include "worker/registry/resolve.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "worker/config/registry_settings.h"

namespace s3p::registry {

std::string account_entry(std::string_view account) { return std::string(kAccountEntryPrefix) + std::string(account); }
std::string key_entry(std::string_view id) { return std::string(kKeyEntryPrefix) + std::string(id); }

namespace {

bool parse_account_list(std::string_view text, std::vector<ListedAccount>& out, std::string& error) {
  auto root = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  auto accounts = root.is_object() ? root.find("accounts") : root.end();
  if (root.is_discarded() || !root.is_object() || accounts == root.end() || !accounts->is_object())
    return error = "account list: \"accounts\" must be an object", false;
  for (auto it = accounts->begin(); it != accounts->end(); ++it) {
    ListedAccount a;
    a.name = it.key();
    if (it->is_object())
      if (auto p = it->find("public"); p != it->end() && p->is_boolean()) a.has_public = p->get<bool>();
    out.push_back(std::move(a));
  }
  std::sort(out.begin(), out.end(), [](const ListedAccount& a, const ListedAccount& b) { return a.name < b.name; });
  return true;
}

}  // namespace

Resolve::Resolve(Cache& cache, const Config& config, uint32_t task, std::vector<std::string> names)
    : cache_(cache), config_(config), task_(task), names_(std::move(names)) {}

Resolve::~Resolve() { release(); }

void Resolve::release() {
  if (index_ >= names_.size()) return;
  if (leading_) cache_.flights().finish(names_[index_], task_);
  if (waiting_) cache_.flights().stop_waiting(names_[index_], task_);
  leading_ = waiting_ = false;
}

void Resolve::use(const Answer& a) {
  answers_.push_back(a);
  release();
  ++index_;
  state_ = State::Look;
}

Action Resolve::next(double now_ms) {
  Action a;
  while (!failed_ && index_ < names_.size()) {
    const std::string& name = names_[index_];
    if (state_ != State::Look) {  // a result is awaited: the host misused the seam
      failed_ = true;
      failure_ = host_fault("registry: next() while a result is awaited");
      release();
      break;
    }
    if (const Answer* fresh = cache_.fresh(name, now_ms)) {
      if (fresh->kind == Answer::Kind::Malformed) fall_back(name, fresh->error, now_ms, true);
      else use(*fresh);
      waited_since_ms_ = -1;
      continue;
    }
    if (waited_since_ms_ >= 0) {  // woken: the leader we waited for failed? Then so do we (stale, or 503)
      const std::string* failed = cache_.failure_since(name, waited_since_ms_);
      waited_since_ms_ = -1;
      if (failed) {
        fall_back(name, *failed + " (another request's read)", now_ms);
        continue;
      }
    }
    if (!cache_.flights().lead_or_wait(name, task_)) {
      state_ = State::Waiting;
      waiting_ = true;
      waited_since_ms_ = now_ms;
      a.kind = ActionKind::Wait;
      a.number = config_.registry.timeout_ms + 1000;  // past the leader's own timeout: it will have answered
      return a;
    }
    leading_ = true;
    state_ = State::Reading;
    a.kind = ActionKind::RegistryGet;
    a.call.name = name;
    a.call.data = config_.registry.kv_binding;
    a.number = config_.registry.timeout_ms;
    return a;
  }
  return a;  // Done
}

Answer Resolve::parse(const std::string& name, const Result& r) const {
  Answer out;
  if (r.data.empty()) return out;  // absent
  std::string error;
  const std::string_view n = name;
  std::string_view body;
  if (!open_sealed_entry(config_.registry, n, r.data, body)) {
    out.kind = Answer::Kind::Malformed;
    out.error = "not sealed by the deployment key (written without ./scripts/registry, or altered)";
    return out;
  }
  if (n.substr(0, kAccountEntryPrefix.size()) == kAccountEntryPrefix) {
    auto cfg = std::make_shared<Config>();
    if (load_account_entry(n.substr(kAccountEntryPrefix.size()), body, Env{}, config_, *cfg, error)) {
      out.kind = Answer::Kind::Found;
      out.account = std::move(cfg);
      return out;
    }
  } else if (n.substr(0, kKeyEntryPrefix.size()) == kKeyEntryPrefix) {
    auto key = std::make_shared<KeyEntry>();
    if (load_key_entry(n.substr(kKeyEntryPrefix.size()), body, config_.registry, *key, error)) {
      out.kind = Answer::Kind::Found;
      out.key = std::move(key);
      return out;
    }
  } else if (n == kAccountList) {
    auto list = std::make_shared<std::vector<ListedAccount>>();
    if (parse_account_list(body, *list, error)) {
      out.kind = Answer::Kind::Found;
      out.listing = std::move(list);
      return out;
    }
  } else {
    error = "unknown entry kind";
  }
  out.kind = Answer::Kind::Malformed;
  out.error = std::move(error);
  return out;
}

void Resolve::feed(Result&& r, double now_ms) {
  if (index_ >= names_.size()) return;
  const std::string name = names_[index_];
  if (state_ == State::Waiting && r.kind == ActionKind::Wait) {
    waiting_ = false;
    cache_.flights().stop_waiting(name, task_);
    // Woken (or timed out): look again — the leader's answer, its failure, or (nothing known) lead ourselves.
    state_ = State::Look;
    return;
  }
  if (state_ != State::Reading || r.kind != ActionKind::RegistryGet) {
    failed_ = true;
    failure_ = host_fault("registry: unexpected result");
    return;
  }
  if (r.flag) {
    Answer a = parse(name, r);
    cache_.store(name, a, now_ms, config_.registry);  // a malformed answer too: re-read once per negative TTL
    if (a.kind == Answer::Kind::Malformed) {
      fall_back(name, a.error, now_ms, true);
    } else {
      if (source_ != "stale") source_ = "registry";
      use(a);
    }
    return;
  }
  const std::string why = r.error.empty() ? std::string("read failed") : r.error;
  cache_.note_failure(name, now_ms, why);
  fall_back(name, why, now_ms);
}

// The registry could not answer, or answered garbage: the last good entry within its stale bound, else 503
// (what the client is told; the log says why). A read failure is never stored.
void Resolve::fall_back(const std::string& name, const std::string& why, double now_ms, bool malformed) {
  if (const Answer* stale = cache_.stale(name, now_ms)) {
    source_ = "stale";
    note_ = name + ": served stale (" + why + ")";
    use(*stale);
    return;
  }
  failed_ = true;
  const std::string detail = "registry " + name + ": " + why;
  failure_ = malformed ? config_fault(errors::ServiceUnavailable, detail) : backend_fault(errors::ServiceUnavailable, detail);
  release();
}

void Resolve::pin(Namespace& ns, int64_t now_s) const {
  for (const Answer& a : answers_) {
    if (a.kind != Answer::Kind::Found) continue;
    if (a.account) ns.pin_account(a.account);
    if (a.key && !a.key->disabled && (a.key->expires_s == 0 || now_s < a.key->expires_s)) ns.pin_key(a.key);
    if (a.listing) ns.set_listing(a.listing);
  }
}

}  // namespace s3p::registry
