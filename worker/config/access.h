// Who may do what: the proxy's own access keys (their secrets are Worker secrets, named in the JSON) and the
// scopes they grant. Repositories carry their own visibility (public or private) and writability.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace s3p {

// What an operation needs; a scope grants a set of them.
enum Permission : uint8_t {
  kPermRead = 1,    // GetObject, HeadObject, the source of a copy
  kPermList = 2,    // ListObjects inside a repository (and seeing the repository in account listings)
  kPermWrite = 4,   // PutObject, the multipart steps (abort and list parts included), the target of a copy
  kPermDelete = 8,  // DeleteObject(s) (aborting an upload is a writer's: its parts are its own)
};

// One grant: an account, one repository of it (or every one: "*"), a key prefix inside the repository ("" = all
// keys), and the permissions.
struct Scope {
  std::string account;
  std::string repository;  // "*" = every repository of the account
  std::string prefix;
  uint8_t permissions = 0;
};

struct AccessKey {
  std::string id;
  std::string secret;  // resolved from the Worker secret the config names (or derived: registry keys, sessions)
  std::vector<Scope> scopes;
};

}  // namespace s3p
