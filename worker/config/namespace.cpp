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

}  // namespace s3p
