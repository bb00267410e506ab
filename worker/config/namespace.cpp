#include "worker/config/namespace.h"

namespace s3p {

const Account* Namespace::find_account(std::string_view name) const {
  if (const Account* a = config_.find(name)) return a;
  for (const auto& e : accounts_)
    if (const Account* a = e->find(name)) return a;
  return nullptr;
}

const AccessKey* Namespace::find_key(std::string_view id) const {
  if (const AccessKey* k = config_.find_key(id)) return k;
  for (const auto& e : keys_)
    if (e->key.id == id) return &e->key;
  return nullptr;
}

const Role* Namespace::find_role(std::string_view name) const {
  if (const Role* r = config_.find_role(name)) return r->disabled ? nullptr : r;  // a disabled static role hides
  for (const auto& e : roles_)
    if (e->name == name) return e->disabled ? nullptr : e.get();
  return nullptr;
}

const IdentityProvider* Namespace::find_idp(std::string_view name) const {
  for (const auto& p : config_.sts.identity_providers)  // a disabled static provider hides the registry's
    if (p.name == name) return p.disabled ? nullptr : &p;
  for (const auto& e : idps_)
    if (e->name == name) return e->disabled ? nullptr : e.get();
  return nullptr;
}

void Namespace::set_listing(std::shared_ptr<const AccountIndex> listed) {
  if (listed_ && !listed_->pages.empty()) page_ = std::move(listed);
  else listed_ = std::move(listed);
}

const AccountIndex::Page* AccountIndex::page_for(std::string_view name) const {
  const Page* found = nullptr;
  for (const Page& p : pages) {  // sorted by first (checked when the index was read)
    if (p.first > name) break;
    found = &p;
  }
  return found;
}

std::string_view AccountIndex::end_of(const Page& page) const {
  const size_t i = static_cast<size_t>(&page - pages.data());
  return i + 1 < pages.size() ? std::string_view(pages[i + 1].first) : std::string_view();
}

}  // namespace s3p
