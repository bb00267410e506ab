#include "worker/creds/l1_cache.h"

#include <algorithm>

namespace s3p {

namespace {
// Hands the waiter list over and leaves it empty (a moved-from vector is only "valid but unspecified").
std::vector<uint32_t> take(std::vector<uint32_t>& w) {
  std::vector<uint32_t> out;
  out.swap(w);
  return out;
}
}  // namespace

uint64_t L1Cache::claim(Entry& e, double now_ms) {
  e.flying = true;
  e.flight = next_flight_++;
  e.claimed_ms = now_ms;
  return e.flight;
}

L1Cache::Decision L1Cache::decide(const std::string& key, double now_ms, double claim_ttl_ms) {
  Entry& e = entries_[key];
  Decision d;
  if (e.flying && now_ms >= e.claimed_ms + claim_ttl_ms) e.flying = false;  // stale claim: its owner is gone
  if (e.has_creds) {
    const double left = static_cast<double>(e.expires_ms) - now_ms;
    if (left > kRefreshLeadMs) {
      d.verdict = Verdict::Serve;
      d.creds = e.creds;
      return d;
    }
    if (left >= kMinRemainingMs) {
      d.creds = e.creds;
      if (e.flying || now_ms < e.renew_after_ms) {  // renewing, or backing off after a failed renewal
        d.verdict = Verdict::Serve;
      } else {
        d.verdict = Verdict::ServeAndRenew;
        d.flight = claim(e, now_ms);
      }
      return d;
    }
  }
  if (e.flying) {
    d.verdict = Verdict::Wait;
    d.flight = e.flight;
    d.wait_until_ms = e.claimed_ms + claim_ttl_ms;
    return d;
  }
  d.verdict = Verdict::Lead;
  d.flight = claim(e, now_ms);
  return d;
}

void L1Cache::add_waiter(const std::string& key, uint32_t task_id) { entries_[key].waiters.push_back(task_id); }

void L1Cache::remove_waiter(const std::string& key, uint32_t task_id) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  auto& w = it->second.waiters;
  w.erase(std::remove(w.begin(), w.end(), task_id), w.end());
}

std::vector<uint32_t> L1Cache::succeed(const std::string& key, uint64_t flight, const sigv4::Credentials& creds,
                                       int64_t expires_ms) {
  Entry& e = entries_[key];
  if (!e.has_creds || expires_ms >= e.expires_ms) {
    e.has_creds = true;
    e.creds = creds;
    e.expires_ms = expires_ms;
  }
  if (e.flying && e.flight == flight) e.flying = false;
  e.backoff_ms = e.renew_after_ms = 0;
  return take(e.waiters);
}

std::vector<uint32_t> L1Cache::fail(const std::string& key, uint64_t flight, FlightFailure failure, double now_ms) {
  Entry& e = entries_[key];
  if (!e.flying || e.flight != flight) return {};
  e.flying = false;
  e.backoff_ms = std::min(kRenewBackoffMaxMs, e.backoff_ms == 0 ? kRenewBackoffMinMs : e.backoff_ms * 2);
  e.renew_after_ms = now_ms + e.backoff_ms;
  e.failed_flight = flight;
  e.failure = std::move(failure);
  return take(e.waiters);
}

std::vector<uint32_t> L1Cache::abandon(const std::string& key, uint64_t flight) {
  auto it = entries_.find(key);
  if (it == entries_.end() || !it->second.flying || it->second.flight != flight) return {};
  it->second.flying = false;
  return take(it->second.waiters);
}

L1Cache::AfterWait L1Cache::after_wait(const std::string& key, uint64_t flight, double now_ms) const {
  AfterWait out;
  auto it = entries_.find(key);
  if (it == entries_.end()) return out;
  const Entry& e = it->second;
  if (e.has_creds && static_cast<double>(e.expires_ms) - now_ms >= kMinRemainingMs) {
    out.kind = AfterWait::Kind::Creds;
    out.creds = e.creds;
  } else if (e.failed_flight >= flight && e.failed_flight != 0) {
    out.kind = AfterWait::Kind::Failed;
    out.failure = e.failure;
  }
  return out;
}

bool L1Cache::in_flight(const std::string& key) const {
  auto it = entries_.find(key);
  return it != entries_.end() && it->second.flying;
}

size_t L1Cache::waiters(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? 0 : it->second.waiters.size();
}

}  // namespace s3p
