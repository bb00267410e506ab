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

// The registry's account index (v1/index/accounts), or one page of it. Small registries list every account in the
// index itself; large ones list pages (v1/index/accounts/pN), each covering the names from its `first` to the
// next page's, so that ListBuckets reads the index and one page per response, never every account.
struct AccountIndex {
  struct Page {
    std::string entry;  // the page's registry entry name
    std::string first;  // the first name it covers ("" for the first page)
  };
  std::vector<ListedAccount> accounts;  // sorted by name
  std::vector<Page> pages;              // sorted by first; empty: `accounts` is the whole index
  // The page covering `name` (the last whose first <= name); null when not paged.
  const Page* page_for(std::string_view name) const;
  // The first name the page after `page` covers; "" when it is the last.
  std::string_view end_of(const Page& page) const;
};

class Namespace {
 public:
  // Implicit: a config alone is a namespace (a static deployment, or a request before any registry lookup).
  Namespace(const Config& config) : config_(config) {}  // NOLINT(google-explicit-constructor)

  const Config& config() const { return config_; }
  const Account* find_account(std::string_view name) const;
  const AccessKey* find_key(std::string_view id) const;
  // An STS role: S3P_CONFIG's (precedence), else one this request resolved; null when neither, or disabled.
  const Role* find_role(std::string_view name) const;
  // An identity provider: S3P_CONFIG's (precedence), else one this request resolved; null when neither, or disabled.
  const IdentityProvider* find_idp(std::string_view name) const;

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
  void pin_role(std::shared_ptr<const Role> entry) { roles_.push_back(std::move(entry)); }
  void pin_idp(std::shared_ptr<const IdentityProvider> entry) { idps_.push_back(std::move(entry)); }
  // The registry's account index, then (when paged) the one page of it this request reads.
  void set_listing(std::shared_ptr<const AccountIndex> listed);
  // The index's page this request must read too, with the names it covers ending at `end` ("": the last page).
  void set_listing_page(std::string_view end) { listing_end_ = std::string(end); }
  // The accounts the registry lists for ListBuckets (the index's, or its page's), when this request resolved them;
  // null otherwise. Names from `listing_end()` on (when not "") are the next page's.
  const std::vector<ListedAccount>* listed_accounts() const {
    if (listed_ && listed_->pages.empty()) return &listed_->accounts;
    return page_ ? &page_->accounts : nullptr;
  }
  const AccountIndex* account_index() const { return listed_.get(); }
  const std::string& listing_end() const { return listing_end_; }

 private:
  const Config& config_;
  std::vector<std::shared_ptr<const Config>> accounts_;
  std::vector<std::shared_ptr<const KeyEntry>> keys_;
  std::vector<std::shared_ptr<const Role>> roles_;
  std::vector<std::shared_ptr<const IdentityProvider>> idps_;
  std::shared_ptr<const AccountIndex> listed_, page_;
  std::string listing_end_;
};

}  // namespace s3p
