#include "worker/sts/jwks_cache.h"

#include <cmath>

#include "worker/crypto/sha256.h"

namespace s3p::sts {

std::shared_ptr<const JwksKeys> JwksCache::fresh(const std::string& url, double now_ms) const {
  auto it = slots_.find(url);
  if (it == slots_.end() || !it->second.keys) return nullptr;
  const double age = now_ms - it->second.keys->fetched_ms;
  return age >= 0 && age < kTtlMs ? it->second.keys : nullptr;
}

JwksCache::Slot& JwksCache::slot(const std::string& url) {
  if (slots_.size() >= kCapacity && !slots_.count(url)) {
    // Full: the provider fetched longest ago goes (slots without keys first).
    auto victim = slots_.begin();
    auto fetched = [](const Slot& s) { return s.keys ? s.keys->fetched_ms : -1e18; };
    for (auto it = slots_.begin(); it != slots_.end(); ++it)
      if (fetched(it->second) < fetched(victim->second)) victim = it;
    slots_.erase(victim);
  }
  return slots_[url];
}

void JwksCache::store(const std::string& url, std::shared_ptr<const JwksKeys> keys) { slot(url).keys = std::move(keys); }

void JwksCache::note_attempt(const std::string& url, double now_ms) { slot(url).attempted_ms = now_ms; }

bool JwksCache::refetch_allowed(const std::string& url, double now_ms) const {
  auto it = slots_.find(url);
  return it == slots_.end() || now_ms - it->second.attempted_ms >= kRefetchIntervalMs;
}

void JwksCache::note_failure(const std::string& url, double now_ms, std::string why) {
  Slot& s = slot(url);
  s.failed_ms = now_ms;
  s.failure = std::move(why);
}

const std::string* JwksCache::failure_since(const std::string& url, double since_ms) const {
  auto it = slots_.find(url);
  return it != slots_.end() && it->second.failed_ms >= since_ms ? &it->second.failure : nullptr;
}

void JwksCache::clear() { slots_.clear(); }

std::string colo_url(std::string_view jwks_url) {
  return "https://jwks.s3-edge-proxy.invalid/v1/" + crypto::hex(crypto::sha256(jwks_url));
}

std::string colo_aad(std::string_view jwks_url) { return "s3-edge-proxy jwks colo v1\n" + std::string(jwks_url); }

std::string colo_plaintext(double fetched_ms, std::string_view jwks) {
  std::string out = std::to_string(static_cast<int64_t>(fetched_ms));
  out += '\n';
  out += jwks;
  return out;
}

bool read_colo_plaintext(std::string_view text, double& fetched_ms, std::string_view& jwks) {
  const size_t nl = text.find('\n');
  if (nl == 0 || nl == std::string_view::npos || nl > 15) return false;
  int64_t at = 0;
  for (char c : text.substr(0, nl)) {
    if (c < '0' || c > '9') return false;
    at = at * 10 + (c - '0');
  }
  fetched_ms = static_cast<double>(at);
  jwks = text.substr(nl + 1);
  return true;
}

}  // namespace s3p::sts
