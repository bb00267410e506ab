#include "worker/registry/resolve.h"

#include <algorithm>
#include <cmath>

#include "worker/http/json.h"

#include "worker/proto/cache_write.h"
#include "worker/config/registry_settings.h"
#include "worker/crypto/sha256.h"
#include "worker/util/sort.h"

namespace s3p::registry {

std::string account_entry(std::string_view account) { return std::string(kAccountEntryPrefix) + std::string(account); }
std::string key_entry(std::string_view id) { return std::string(kKeyEntryPrefix) + std::string(id); }
std::string role_entry(std::string_view role) { return std::string(kRoleEntryPrefix) + std::string(role); }
std::string idp_entry(std::string_view idp) { return std::string(kIdpEntryPrefix) + std::string(idp); }

bool is_index_page(std::string_view name) {
  const std::string_view prefix = "v1/index/accounts/p";
  if (name.substr(0, prefix.size()) != prefix) return false;
  const std::string_view number = name.substr(prefix.size());
  return !number.empty() && number.size() <= 9 && number.find_first_not_of("0123456789") == std::string_view::npos;
}

std::string colo_url(const RegistrySettings& settings, std::string_view name) {
  std::string id = settings.api_url;
  id += '\n';
  id += name;
  return "https://registry.s3-edge-proxy.invalid/v1/" + crypto::hex(crypto::sha256(id));
}

namespace {
// Colo values are sealed under a name no registry entry has, binding the entry's name, the time and the answer
// (an "absent" answer too): another Worker of the zone can delete them, but not plant or re-date one.
std::string colo_seal_name(std::string_view name) { return "colo " + std::string(name); }
}  // namespace

std::string colo_value(const RegistrySettings& settings, std::string_view name, double fetched_at_ms,
                       std::string_view answer) {
  std::string body = std::to_string(static_cast<int64_t>(fetched_at_ms));
  body += '\n';
  body += answer;
  return seal_entry(settings.key_material, colo_seal_name(name), body);
}

bool open_colo_value(const RegistrySettings& settings, std::string_view name, std::string_view value,
                     double& fetched_at_ms, std::string_view& answer) {
  std::string_view body;
  if (!open_sealed_entry(settings, colo_seal_name(name), value, body)) return false;
  const size_t nl = body.find('\n');
  if (nl == 0 || nl == std::string_view::npos || nl > 15) return false;
  int64_t at = 0;
  for (char c : body.substr(0, nl)) {
    if (c < '0' || c > '9') return false;
    at = at * 10 + (c - '0');
  }
  fetched_at_ms = static_cast<double>(at);
  answer = body.substr(nl + 1);
  return true;
}

namespace {

// The account index's entry: {"accounts": {NAME: {"public": bool}}} (small, and every page), or, for the head of a
// paged index, {"pages": [{"entry": "v1/index/accounts/pN", "first": NAME}, ...]} — first "" then ascending.
bool parse_account_index(std::string_view text, bool page, AccountIndex& out, std::string& error) {
  auto root = json::parse(text);
  if (root.is_discarded() || !root.is_object()) return error = "account index: not a JSON object", false;
  auto pages = root.find("pages");
  if (!page && pages != root.end()) {
    if (!pages->is_array() || pages->empty() || pages->size() > kMaxIndexPages)
      return error = "account index: \"pages\" must be an array of 1.." + std::to_string(kMaxIndexPages) + " pages", false;
    for (const auto& p : *pages) {
      auto entry = p.is_object() ? p.find("entry") : p.end();
      auto first = p.is_object() ? p.find("first") : p.end();
      if (entry == p.end() || first == p.end() || !entry->is_string() || !first->is_string() ||
          !is_index_page(entry->string_ref()))
        return error = "account index: pages[" + std::to_string(out.pages.size()) + "] must be {\"entry\": \"" +
                       std::string(kAccountListEntry) + "/pN\", \"first\": NAME}", false;
      AccountIndex::Page pg{entry->get<std::string>(), first->get<std::string>()};
      if (out.pages.empty() ? !pg.first.empty() : pg.first <= out.pages.back().first)
        return error = "account index: pages[" + std::to_string(out.pages.size()) +
                       "].first must be \"\" for the first page, then ascending", false;
      out.pages.push_back(std::move(pg));
    }
    return true;
  }
  auto accounts = root.find("accounts");
  if (accounts == root.end() || !accounts->is_object())
    return error = "account index: \"accounts\" must be an object", false;
  for (auto it = accounts->begin(); it != accounts->end(); ++it) {
    ListedAccount a;
    a.name = it.key();
    if (it->is_object())
      if (auto p = it->find("public"); p != it->end() && p->is_boolean()) a.has_public = p->get<bool>();
    out.accounts.push_back(std::move(a));
  }
  util::sort(out.accounts.begin(), out.accounts.end(),
             [](const ListedAccount& a, const ListedAccount& b) { return a.name < b.name; });
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
    if (state_ == State::ReadNext) return read(name);  // not in the colo's tier: the registry itself
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
    colo_stale_.reset();
    if (config_.registry.source == RegistrySettings::Source::Api) {
      state_ = State::MatchingColo;
      a.kind = ActionKind::CacheMatch;
      a.call.name = colo_url(config_.registry, name);
      return a;
    }
    return read(name);
  }
  return a;  // Done
}

// The registry itself: the KV binding, or the API at api_url + name with the bearer token the host adds.
Action Resolve::read(const std::string& name) {
  Action a;
  state_ = State::Reading;
  a.kind = ActionKind::RegistryGet;
  a.call.name = name;
  if (config_.registry.source == RegistrySettings::Source::Api) {
    a.call.data = config_.registry.api_url + name;  // names are made of validated account names, key ids and role names
    a.call.aad = config_.registry.api_token_secret;
  } else {
    a.call.data = config_.registry.kv_binding;
  }
  a.number = config_.registry.timeout_ms;
  return a;
}

void Resolve::prefer_source(std::string_view s) {
  auto rank = [](std::string_view x) { return x == "stale" ? 3 : x == "registry" ? 2 : x == "colo" ? 1 : 0; };
  if (rank(s) > rank(source_)) source_ = s;
}

// The colo tier's answer: fresh (its TTL counted from when the registry gave it) → used and kept in the isolate;
// past its TTL but within the stale bound → kept aside in case the registry cannot answer; anything that does
// not open or verify (another deployment's, a damaged entry) → as if absent from the tier.
void Resolve::on_colo(const std::string& name, const Result& r, double now_ms) {
  double fetched_at_ms = 0;
  std::string_view value;
  if (r.flag && open_colo_value(config_.registry, name, r.data, fetched_at_ms, value)) {
    Result entry;
    entry.data = std::string(value);
    Answer answer = parse(name, entry);
    const double age_ms = std::max(0.0, now_ms - fetched_at_ms);
    const double ttl_ms = Cache::ttl_ms(name, answer.kind, config_.registry);
    if (answer.kind != Answer::Kind::Malformed && age_ms < ttl_ms) {
      cache_.store(name, answer, now_ms, config_.registry, age_ms);
      prefer_source("colo");
      use(answer);
      return;
    }
    if (answer.kind == Answer::Kind::Found && age_ms < ttl_ms + 1000.0 * config_.registry.stale_s)
      colo_stale_ = std::move(answer);
  }
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
  } else if (n.substr(0, kRoleEntryPrefix.size()) == kRoleEntryPrefix) {
    auto role = std::make_shared<Role>();
    if (load_role_entry(n.substr(kRoleEntryPrefix.size()), body, config_.sts.min_session_s, *role, error)) {
      out.kind = Answer::Kind::Found;
      out.role = std::move(role);
      return out;
    }
  } else if (n.substr(0, kIdpEntryPrefix.size()) == kIdpEntryPrefix) {
    auto idp = std::make_shared<IdentityProvider>();
    if (load_idp_entry(n.substr(kIdpEntryPrefix.size()), body, *idp, error)) {
      out.kind = Answer::Kind::Found;
      out.idp = std::move(idp);
      return out;
    }
  } else if (n == kAccountList || is_index_page(n)) {
    auto list = std::make_shared<AccountIndex>();
    if (parse_account_index(body, n != kAccountList, *list, error)) {
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
  if (state_ == State::MatchingColo && r.kind == ActionKind::CacheMatch) {
    on_colo(name, r, now_ms);
    if (state_ == State::MatchingColo) state_ = State::ReadNext;
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
      if (config_.registry.source == RegistrySettings::Source::Api) {
        const double keep_ms = Cache::ttl_ms(name, a.kind, config_.registry) +
                               (a.kind == Answer::Kind::Found ? 1000.0 * config_.registry.stale_s : 0);
        background_.push_back(CacheWrite::put("RegistryColoPut", colo_url(config_.registry, name),
                                              colo_value(config_.registry, name, now_ms, r.data),
                                              static_cast<uint32_t>(std::ceil(keep_ms / 1000))));
      }
      prefer_source("registry");
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
  const Answer* stale = cache_.stale(name, now_ms);
  if (!stale && colo_stale_) stale = &*colo_stale_;
  if (stale) {
    prefer_source("stale");
    note_ = name + ": served stale (" + why + ")";
    const Answer kept = *stale;
    colo_stale_.reset();
    use(kept);
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
    if (a.role && !a.role->disabled) ns.pin_role(a.role);
    if (a.idp && !a.idp->disabled) ns.pin_idp(a.idp);
  }
}

}  // namespace s3p::registry
