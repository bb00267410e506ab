// What one request sees of the namespace: the deployment's static config, plus the registry entries this request
// resolved (config/registry_settings.h), which it holds until it ends — an entry a request resolved stays valid
// for that request however the registry's cache changes meanwhile. Static names take precedence.
#pragma once
#include <memory>
#include <string_view>
#include <vector>

#include "worker/config/access_keys.h"
#include "worker/config/config.h"

namespace s3p {

// An account the registry lists, with what ListBuckets needs to know without reading the account's entry.
struct ListedAccount {
  std::string name;
  bool has_public = false;  // some repository (or the flat bucket) is public
};

class Namespace {
 public:
  // Implicit: a config alone is a namespace (a static deployment, or a request before any registry lookup).
  Namespace(const Config& config) : config_(config) {}  // NOLINT(google-explicit-constructor)

  const Config& config() const { return config_; }
  const Account* find_account(std::string_view name) const;
  const AccessKey* find_key(std::string_view id) const;

  // Every account this request knows: the static ones, then the resolved ones.
  template <class F>
  void for_each_account(F f) const {
    for (const Account& a : config_.accounts) f(a);
    for (const auto& e : accounts_)
      for (const Account& a : e->accounts) f(a);
  }
  // Every backend this request knows (the static ones and those of the accounts it resolved).
  template <class F>
  void for_each_backend(F f) const {
    for (const auto& [name, b] : config_.backends) f(*b);
    for (const auto& e : accounts_)
      for (const auto& [name, b] : e->backends) f(*b);
  }

  void pin_account(std::shared_ptr<const Config> entry) { accounts_.push_back(std::move(entry)); }
  void pin_key(std::shared_ptr<const KeyEntry> entry) { keys_.push_back(std::move(entry)); }
  void set_listing(std::shared_ptr<const std::vector<ListedAccount>> listed) { listed_ = std::move(listed); }
  // The registry's account list (ListBuckets), when this request resolved it; null otherwise.
  const std::vector<ListedAccount>* listed_accounts() const { return listed_.get(); }

 private:
  const Config& config_;
  std::vector<std::shared_ptr<const Config>> accounts_;
  std::vector<std::shared_ptr<const KeyEntry>> keys_;
  std::shared_ptr<const std::vector<ListedAccount>> listed_;
};

}  // namespace s3p
