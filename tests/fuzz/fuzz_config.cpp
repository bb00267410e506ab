// Fuzzes config loading: any JSON text is either a valid config or a field-naming error, never a crash, and the
// same text always gives the same verdict. A config that loads is internally consistent: every repository has one
// of the config's backends, prefixes are "" or end in '/', names are sorted (lookups are binary searches), backend
// authorities and federation session names are safe to put in a URL / form, and no error ever quotes a secret.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>

#include "tests/unit/federation_fixture.h"  // a throwaway RSA key and L2 key, so federation configs can load
#include "worker/config/config.h"

namespace {
constexpr const char* kSecret = "fuzz-secret-value-0001";

bool url_safe(const std::string& s) {
  for (unsigned char c : s)
    if (c <= 0x20 || c >= 0x7f || c == '/' || c == '?' || c == '#' || c == '@' || c == '\\') return false;
  return !s.empty();
}

bool session_ok(const std::string& s) {
  if (s.size() < 2 || s.size() > 64) return false;
  for (unsigned char c : s)
    if (!(std::isalnum(c) || c == '_' || c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-'))
      return false;
  return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  s3p::Env env{{"K", "AKIDFUZZ0001"}, {"S", kSecret}, {"OIDC_KEY", fedtest::kRsaPem}, {"L2_KEY", fedtest::kL2Key}};
  s3p::Config cfg;
  std::string error;
  const bool ok = s3p::load_config(in, env, cfg, error);
  if (!ok && error.empty()) __builtin_trap();
  if (!ok && in.find(kSecret) == std::string_view::npos && error.find(kSecret) != std::string::npos) __builtin_trap();

  s3p::Config again;
  std::string error2;
  if (s3p::load_config(in, env, again, error2) != ok || error2 != error) __builtin_trap();
  if (!ok) return 0;

  auto by_name = [](const auto& a, const auto& b) { return a.name < b.name; };
  if (!std::is_sorted(cfg.accounts.begin(), cfg.accounts.end(), by_name)) __builtin_trap();
  for (const auto& a : cfg.accounts) {
    if (!std::is_sorted(a.repositories.begin(), a.repositories.end(), by_name)) __builtin_trap();
    if (a.flat && a.repositories.size() != 1) __builtin_trap();
    if (cfg.find(a.name) != &a) __builtin_trap();
    for (const auto& r : a.repositories) {
      if (!r.backend) __builtin_trap();
      auto it = cfg.backends.find(r.backend->name);
      if (it == cfg.backends.end() || it->second.get() != r.backend) __builtin_trap();
      if (!r.prefix.empty() && r.prefix.back() != '/') __builtin_trap();
      if (!a.flat && a.find(r.name) != &r) __builtin_trap();
    }
  }
  for (const auto& [name, b] : cfg.backends) {
    if (b->scheme != "http" && b->scheme != "https") __builtin_trap();
    if (!url_safe(b->authority)) __builtin_trap();
    if (b->auth == s3p::BackendAuth::WebIdentity) {
      if (!cfg.federation.enabled || !session_ok(b->web_identity.session_name)) __builtin_trap();
      const uint32_t d = b->web_identity.duration_seconds;
      if (d != 0 && (d < 900 || d > 43200)) __builtin_trap();
    }
  }
  return 0;
}
