// Fuzzes what the namespace registry hands the core (worker/registry/resolve.cpp): a value read from KV for an
// account, a key or the account list — its seal first, then the entry. Must never crash; a sealed entry opens only
// under its own name; what loads holds its promises (an account entry is that one account; a key entry's secret
// is the derivation's).
#include <cstdint>
#include <string>

#include "worker/config/access_keys.h"
#include "worker/config/config.h"
#include "worker/config/registry_settings.h"

namespace {
constexpr std::string_view kKey = "fuzz deployment key for the registry, 32+ bytes";

const s3p::Config& deployment() {
  static s3p::Config cfg = [] {
    s3p::Config c;
    std::string error;
    s3p::load_config(R"({"registry": {"key_secret": "K"},
      "backends": {"shared": {"endpoint": "https://h", "bucket": "bk"}}})", {{"K", std::string(kKey)}}, c, error);
    return c;
  }();
  return cfg;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const s3p::Config& cfg = deployment();
  // The first byte: which entry kind, and whether the value comes sealed (as the CLI writes it) or raw.
  const bool account = data[0] & 1, sealed = data[0] & 2;
  const std::string name = account ? "v1/account/fuzz-acct" : "v1/key/AKIDFUZZ";
  const std::string value = sealed ? s3p::seal_entry(kKey, name, body) : std::string(body);
  std::string_view opened;
  const bool opens = s3p::open_sealed_entry(cfg.registry, name, value, opened);
  if (sealed != opens && !(!sealed && opens)) __builtin_trap();  // a sealed value opens
  if (opens && s3p::open_sealed_entry(cfg.registry, account ? "v1/account/other" : "v1/key/OTHER", value, opened))
    __builtin_trap();  // …and only under its own name
  if (!opens) return 0;
  std::string error;
  if (account) {
    s3p::Config entry;
    if (s3p::load_account_entry("fuzz-acct", opened, {}, cfg, entry, error) &&
        (entry.accounts.size() != 1 || entry.accounts[0].name != "fuzz-acct"))
      __builtin_trap();
  } else {
    s3p::KeyEntry key;
    if (s3p::load_key_entry("AKIDFUZZ", opened, cfg.registry, key, error) && key.key.secret.size() != 43) __builtin_trap();
  }
  return 0;
}
