#include "worker/config/config.h"

#include <algorithm>

#include "worker/http/json.h"

#include "worker/config/access_keys.h"
#include "worker/config/json_fields.h"
#include "worker/config/listing_token_key.h"
#include "worker/config/registry_settings.h"
#include "worker/sign/azure_shared_key.h"
#include "worker/util/sort.h"

namespace s3p {
namespace {


using config_fields::fail;
using config_fields::get_bool;
using config_fields::get_string;
using config_fields::get_uint;

}  // namespace

bool valid_account_name(std::string_view s) {
  if (s.size() < 3 || s.size() > 63) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return false;
  return s.front() != '-' && s.front() != '.' && s.back() != '-' && s.back() != '.';
}

namespace {

// Repositories are the first key segment: no '/', no dot segments, printable.
bool valid_repo_name(std::string_view s) {
  if (s.empty() || s.size() > 255 || s == "." || s == "..") return false;
  for (unsigned char c : s)
    if (c == '/' || c < 0x20 || c == 0x7f) return false;
  return true;
}

// A region goes into every SigV4 credential scope, in the Authorization header, as is: a name such as us-east-1,
// auto (R2) or garage, never a byte a header cannot carry.
bool valid_region(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  return true;
}

// A backend's authority goes into every URL the host fetches and into the Host header SigV4 signs, so it must be
// exactly what fetch() will send: host[:port], the host a DNS name (lowercased here, as fetch lowercases it, or
// the signature would not match), an IPv4 address or a bracketed IPv6 literal (lowercased too; write it in its
// shortest form, which is how fetch sends it); the port 1-65535. Anything else (a control byte, DEL, a backslash,
// non-ASCII, userinfo, a path) is refused, not sent.
bool normalize_authority(std::string& a) {
  const bool ipv6 = !a.empty() && a.front() == '[';
  size_t host_end = ipv6 ? a.find(']') : a.find(':');
  if (ipv6 && (host_end == std::string::npos || host_end < 2)) return false;
  if (!ipv6 && host_end == std::string::npos) host_end = a.size();
  if (host_end == 0 || host_end > 253) return false;
  for (size_t i = ipv6 ? 1 : 0; i < host_end; ++i) {
    const char c = a[i];
    if (c >= 'A' && c <= 'Z') {
      a[i] = static_cast<char>(c - 'A' + 'a');
      if (ipv6 && c > 'F') return false;
    } else if (ipv6 ? !((c >= 'a' && c <= 'f') || (c >= '0' && c <= '9') || c == ':' || c == '.')
                    : !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_')) {
      return false;
    }
  }
  if (ipv6) ++host_end;
  if (host_end == a.size()) return true;
  if (a[host_end] != ':' || a.size() - host_end - 1 < 1 || a.size() - host_end - 1 > 5) return false;
  uint32_t port = 0;
  for (size_t i = host_end + 1; i < a.size(); ++i) {
    if (a[i] < '0' || a[i] > '9') return false;
    port = port * 10 + static_cast<uint32_t>(a[i] - '0');
  }
  return port >= 1 && port <= 65535;
}

bool parse_endpoint(const std::string& url, Backend& b) {
  auto pos = url.find("://");
  if (pos == std::string::npos) return false;
  b.scheme = url.substr(0, pos);
  if (b.scheme != "http" && b.scheme != "https") return false;
  std::string rest = url.substr(pos + 3);
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (!normalize_authority(rest)) return false;
  // Drop default ports: fetch() omits them from Host, and the signature must match what is sent.
  auto strip = [&](const char* suffix) {
    std::string_view sv(rest), sf(suffix);
    if (sv.size() > sf.size() && sv.substr(sv.size() - sf.size()) == sf) rest.resize(rest.size() - sf.size());
  };
  if (b.scheme == "http") strip(":80");
  if (b.scheme == "https") strip(":443");
  b.authority = rest;
  return true;
}

// Azure names: an account is 3-24 of a-z 0-9; a container 3-63 of a-z 0-9 and single inner hyphens.
bool valid_azure_account(std::string_view a) {
  if (a.size() < 3 || a.size() > 24) return false;
  for (char c : a)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  return true;
}
bool valid_container(std::string_view c) {
  if (c.size() < 3 || c.size() > 63 || c.front() == '-' || c.back() == '-' || c.find("--") != std::string_view::npos)
    return false;
  for (char x : c)
    if (!((x >= 'a' && x <= 'z') || (x >= '0' && x <= '9') || x == '-')) return false;
  return true;
}

// {"dialect": "azure", "endpoint", "account", "container", "auth": {"type": "shared_key", "account_key_secret"} |
// {"type": "sas", "sas_token_secret"} | {"type": "entra_workload_identity", ...} (config/entra_auth.h)}.
// The endpoint may carry a path: the emulator's path-style "http://127.0.0.1:10000/devstoreaccount1".
bool load_azure_backend(const std::string& field, const json::Value& j, const Env& env, Backend& b, std::string& error) {
  b.dialect = BackendDialect::Azure;
  std::string endpoint;
  if (!get_string(j, "endpoint", field, true, endpoint, error)) return false;
  const size_t scheme_end = endpoint.find("://");
  const size_t path_at = scheme_end == std::string::npos ? std::string::npos : endpoint.find('/', scheme_end + 3);
  if (path_at != std::string::npos) {
    b.base_path = endpoint.substr(path_at);
    endpoint.resize(path_at);
    while (!b.base_path.empty() && b.base_path.back() == '/') b.base_path.pop_back();
    for (char c : b.base_path)
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '/'))
        return fail(error, field + ".endpoint", "path may hold only letters, digits, '-' and '/'");
  }
  if (!parse_endpoint(endpoint, b)) return fail(error, field + ".endpoint", "must be http(s)://host[:port][/path]");
  if (j.contains("bucket")) return fail(error, field + ".bucket", "an azure backend names a \"container\"");
  if (!get_string(j, "account", field, true, b.account, error)) return false;
  if (!valid_azure_account(b.account)) return fail(error, field + ".account", "must be 3-24 of a-z 0-9");
  if (!get_string(j, "container", field, true, b.bucket, error)) return false;
  if (!valid_container(b.bucket)) return fail(error, field + ".container", "must be an Azure container name");
  if (!get_uint(j, "timeout_ms", field, 1, 600000, b.timeout_ms, error)) return false;
  if (!get_uint(j, "min_body_rate_kib_s", field, 0, 1u << 20, b.min_body_rate_kib_s, error)) return false;
  auto auth = j.find("auth");
  if (auth == j.end()) return true;  // anonymous: a public container
  if (!auth->is_object()) return fail(error, field + ".auth", "must be an object");
  std::string type;
  if (!get_string(*auth, "type", field + ".auth", true, type, error)) return false;
  if (type == "anonymous") return true;
  if (type == "sas") {
    for (auto it = auth->begin(); it != auth->end(); ++it)
      if (it.key() != "type" && it.key() != "sas_token_secret")
        return fail(error, field + ".auth." + it.key(), "is not a sas field");
    if (!get_string(*auth, "sas_token_secret", field + ".auth", true, b.sas_secret, error)) return false;
    auto v = env.find(b.sas_secret);
    if (v == env.end() || v->second.empty())
      return fail(error, field + ".auth.sas_token_secret", "Worker secret \"" + b.sas_secret + "\" is not set");
    if (std::string why = sas_problem(v->second); !why.empty())
      return fail(error, field + ".auth.sas_token_secret", "Worker secret \"" + b.sas_secret + "\" " + why);
    b.auth = BackendAuth::Sas;
    return true;
  }
  if (type == "entra_workload_identity") {
    b.auth = BackendAuth::EntraWorkloadIdentity;
    return load_entra_workload_identity(*auth, field + ".auth", b.entra, error);
  }
  if (type != "shared_key")
    return fail(error, field + ".auth.type",
                "must be \"anonymous\", \"shared_key\", \"sas\" or \"entra_workload_identity\" on an azure backend");
  std::string secret_name;
  if (!get_string(*auth, "account_key_secret", field + ".auth", true, secret_name, error)) return false;
  auto v = env.find(secret_name);
  if (v == env.end() || v->second.empty())
    return fail(error, field + ".auth.account_key_secret", "Worker secret \"" + secret_name + "\" is not set");
  if (!azure::decode_account_key(v->second, b.account_key))
    return fail(error, field + ".auth.account_key_secret", "Worker secret \"" + secret_name + "\" is not a base64 account key");
  b.auth = BackendAuth::SharedKey;
  return true;
}

bool load_backend(const std::string& name, const json::Value& j, const Env& env, Backend& b, std::string& error) {
  const std::string field = "backends." + name;
  if (!j.is_object()) return fail(error, field, "must be an object");
  b.name = name;
  std::string dialect = "s3";
  if (!get_string(j, "dialect", field, false, dialect, error)) return false;
  if (dialect == "azure") return load_azure_backend(field, j, env, b, error);
  if (dialect != "s3" && dialect != "gcs") return fail(error, field + ".dialect", "must be \"s3\", \"azure\" or \"gcs\"");
  // GCS's XML API is S3's wire format with differences (dialect/gcs_dialect.h): the same fields, its own endpoint
  // and auth types.
  const bool gcs = dialect == "gcs";
  if (gcs) {
    b.dialect = BackendDialect::Gcs;
    b.region = "auto";  // what GCS's interoperability mode signs HMAC requests for
  }
  std::string endpoint = gcs ? "https://storage.googleapis.com" : "";
  if (!get_string(j, "endpoint", field, !gcs, endpoint, error)) return false;
  if (!parse_endpoint(endpoint, b)) return fail(error, field + ".endpoint", "must be http(s)://host[:port]");
  if (!get_string(j, "bucket", field, true, b.bucket, error)) return false;
  if (b.bucket.empty() || b.bucket.find('/') != std::string::npos)
    return fail(error, field + ".bucket", "must be a bucket name");
  if (!get_string(j, "region", field, false, b.region, error)) return false;
  if (!valid_region(b.region)) return fail(error, field + ".region", "must be a region name such as us-east-1");
  if (!get_uint(j, "timeout_ms", field, 1, 600000, b.timeout_ms, error)) return false;
  if (!get_uint(j, "min_body_rate_kib_s", field, 0, 1u << 20, b.min_body_rate_kib_s, error)) return false;
  auto auth = j.find("auth");
  if (auth == j.end()) return true;  // anonymous
  if (!auth->is_object()) return fail(error, field + ".auth", "must be an object");
  std::string type;
  if (!get_string(*auth, "type", field + ".auth", true, type, error)) return false;
  if (type == "anonymous") return true;
  if (gcs) {
    if (type == "gcp_workload_identity") {
      b.auth = BackendAuth::GcpWorkloadIdentity;
      return load_gcp_workload_identity(*auth, field + ".auth", b.gcp, error);
    }
    if (type != "hmac")
      return fail(error, field + ".auth.type", "must be \"anonymous\", \"hmac\" or \"gcp_workload_identity\" on a gcs backend");
  } else if (type == "hmac" || type == "gcp_workload_identity") {
    return fail(error, field + ".auth.type", type + " is for a gcs backend (\"dialect\": \"gcs\")");
  }
  if (type == "web_identity") {
    b.auth = BackendAuth::WebIdentity;
    return load_web_identity(*auth, field + ".auth", b.web_identity, error);
  }
  if (type == "assume_role") {
    b.auth = BackendAuth::AssumeRole;
    return load_assume_role(*auth, field + ".auth", name, env, b.assume_role, error);
  }
  if (type != "static" && !gcs)
    return fail(error, field + ".auth.type", "must be \"anonymous\", \"static\", \"web_identity\" or \"assume_role\"");
  b.auth = BackendAuth::Static;
  // The JSON names Worker secrets; their values come from the environment.
  struct Ref { const char* key; std::string* dest; bool required; };
  for (Ref r : {Ref{"access_key_id_secret", &b.access_key_id, true}, Ref{"secret_access_key_secret", &b.secret_access_key, true},
                Ref{"session_token_secret", &b.session_token, false}}) {
    std::string secret_name;
    if (!get_string(*auth, r.key, field + ".auth", r.required, secret_name, error)) return false;
    if (secret_name.empty()) continue;
    auto v = env.find(secret_name);
    if (v == env.end() || v->second.empty())
      return fail(error, field + ".auth." + r.key, "Worker secret \"" + secret_name + "\" is not set");
    *r.dest = v->second;
  }
  return true;
}

// "cache": {"enabled", "chunk_size", "metadata_ttl_s", "chunk_ttl_s", "admit_after", "admit_window_s"}; absent = on
// for a public repository.
bool load_cache_settings(const json::Value& j, const std::string& repo_field, bool public_read, CacheSettings& out,
                         std::string& error) {
  out.enabled = public_read;
  auto it = j.find("cache");
  if (it == j.end()) return true;
  const std::string field = repo_field + ".cache";
  if (!it->is_object()) return fail(error, field, "must be an object");
  if (!get_bool(*it, "enabled", field, out.enabled, error)) return false;
  // 64 KiB .. 64 MiB: smaller chunks cost a cache entry per few reads; larger ones hold a whole chunk in memory.
  if (!get_uint(*it, "chunk_size", field, 64u << 10, 64u << 20, out.chunk_size, error)) return false;
  if (!get_uint(*it, "metadata_ttl_s", field, 1, 3600, out.metadata_ttl_s, error)) return false;
  if (!get_uint(*it, "chunk_ttl_s", field, 60, 30 * 86400, out.chunk_ttl_s, error)) return false;
  if (!get_uint(*it, "admit_after", field, 1, 16, out.admit_after, error)) return false;
  if (!get_uint(*it, "admit_window_s", field, 1, 30 * 86400, out.admit_window_s, error)) return false;
  return true;
}

// {"backend": NAME, "prefix": "..."} — shared by repositories and flat buckets. A registry entry's repositories may
// also name a backend of the deployment's (`shared`: S3P_CONFIG's, whose secrets the core holds).
bool load_repository(const json::Value& j, const std::string& field, const Config& cfg, const Config* shared, Repository& repo,
                     std::string& error) {
  if (!j.is_object()) return fail(error, field, "must be an object");
  std::string backend;
  if (!get_string(j, "backend", field, true, backend, error)) return false;
  auto b = cfg.backends.find(backend);
  if (b != cfg.backends.end()) {
    repo.backend = b->second.get();
  } else if (auto s = shared ? shared->backends.find(backend) : cfg.backends.end(); shared && s != shared->backends.end()) {
    repo.backend = s->second.get();
  } else {
    return fail(error, field + ".backend", "unknown backend \"" + backend + "\"");
  }
  if (!get_string(j, "prefix", field, false, repo.prefix, error)) return false;
  if (!repo.prefix.empty() && (repo.prefix.front() == '/' || repo.prefix.back() != '/'))
    return fail(error, field + ".prefix", "must be empty or end with '/' and not start with '/'");
  if (!get_bool(j, "public", field, repo.public_read, error)) return false;
  if (!get_bool(j, "read_only", field, repo.read_only, error)) return false;
  if (!get_string(j, "cache_control", field, false, repo.cache_control, error)) return false;
  if (repo.cache_control.size() > 256 ||
      std::any_of(repo.cache_control.begin(), repo.cache_control.end(), [](char c) { return c < 0x20 || c == 0x7f; }))
    return fail(error, field + ".cache_control", "must be a Cache-Control value of at most 256 printable characters");
  return load_cache_settings(j, field, repo.public_read, repo.cache, error);
}

}  // namespace

const Repository* Account::find(std::string_view repo) const {
  auto it = std::lower_bound(repositories.begin(), repositories.end(), repo,
                             [](const Repository& r, std::string_view n) { return r.name < n; });
  return it != repositories.end() && it->name == repo ? &*it : nullptr;
}

const Account* Config::find(std::string_view account) const {
  auto it = std::lower_bound(accounts.begin(), accounts.end(), account,
                             [](const Account& a, std::string_view n) { return a.name < n; });
  return it != accounts.end() && it->name == account ? &*it : nullptr;
}

const Role* Config::find_role(std::string_view name) const {
  auto it = std::lower_bound(roles.begin(), roles.end(), name, [](const Role& r, std::string_view n) { return r.name < n; });
  return it != roles.end() && it->name == name ? &*it : nullptr;
}

const AccessKey* Config::find_key(std::string_view id) const {
  auto it = std::lower_bound(access_keys.begin(), access_keys.end(), id,
                             [](const AccessKey& k, std::string_view n) { return k.id < n; });
  return it != access_keys.end() && it->id == id ? &*it : nullptr;
}

namespace {

// "cors_origins": exact origins, as a browser sends them in Origin: a scheme, a host, maybe a port; no path, no
// wildcard (a private repository is never readable by any page).
bool load_cors_origins(const json::Value& root, std::vector<std::string>& out, std::string& error) {
  auto it = root.find("cors_origins");
  if (it == root.end()) return true;
  if (!it->is_array()) return fail(error, "cors_origins", "must be an array of origins such as \"https://app.example.org\"");
  for (size_t i = 0; i < it->size(); ++i) {
    const json::Value& o = (*it)[i];
    const std::string field = "cors_origins[" + std::to_string(i) + "]";
    if (!o.is_string()) return fail(error, field, "must be a string");
    const std::string v = o.get<std::string>();
    const size_t sep = v.find("://");
    const bool scheme_ok = sep != std::string::npos && (v.compare(0, sep, "https") == 0 || v.compare(0, sep, "http") == 0);
    if (!scheme_ok || sep + 3 >= v.size() || v.find_first_of("/*? \t\r\n", sep + 3) != std::string::npos)
      return fail(error, field, "must be an origin: scheme://host[:port], without a path or wildcard");
    out.push_back(v);
  }
  return true;
}

}  // namespace

namespace {

// The parts of a namespace, shared by S3P_CONFIG and the registry's entries. `shared`: the deployment's config,
// whose backends an entry's repositories may name; `federation`: the deployment's (web_identity needs it).
bool load_backends(const json::Value& backends, const Env& env, const FederationSettings& federation, Config& cfg,
                   std::string& error) {
  if (!backends.is_object()) return fail(error, "backends", "must be an object");
  for (auto it = backends.begin(); it != backends.end(); ++it) {
    auto b = std::make_unique<Backend>();
    if (!load_backend(it.key(), it.value(), env, *b, error)) return false;
    if (b->auth == BackendAuth::WebIdentity && !federation.enabled)
      return fail(error, "backends." + it.key() + ".auth.type", "web_identity needs a \"federation\" section");
    if (b->auth == BackendAuth::GcpWorkloadIdentity && !federation.enabled)
      return fail(error, "backends." + it.key() + ".auth.type",
                  "gcp_workload_identity needs a \"federation\" section (the proxy's OIDC issuer and l2_key_secret)");
    if (b->auth == BackendAuth::EntraWorkloadIdentity && !federation.enabled)
      return fail(error, "backends." + it.key() + ".auth.type",
                  "entra_workload_identity needs a \"federation\" section (the proxy's OIDC issuer and l2_key_secret)");
    if (b->auth == BackendAuth::AssumeRole && !federation.enabled)
      return fail(error, "backends." + it.key() + ".auth.type",
                  "assume_role needs a \"federation\" section (its sts_endpoint and l2_key_secret)");
    cfg.backends.emplace(it.key(), std::move(b));
  }
  return true;
}

// A flat bucket: an account whose single repository has no name.
bool load_flat_bucket(const std::string& name, const json::Value& j, const Config* shared, Config& cfg, std::string& error) {
  const std::string field = "buckets." + name;
  if (!valid_account_name(name)) return fail(error, field, "bucket names follow S3 naming (3-63 of a-z 0-9 . -)");
  Account acct;
  acct.name = name;
  acct.flat = true;
  Repository repo;
  if (!load_repository(j, field, cfg, shared, repo, error)) return false;
  acct.repositories.push_back(std::move(repo));
  cfg.accounts.push_back(std::move(acct));
  return true;
}

// An account: {"repositories": {NAME: {...}}} (other members are the caller's to check).
bool load_account(const std::string& name, const json::Value& j, const Config* shared, Config& cfg, std::string& error) {
  const std::string field = "accounts." + name;
  if (!valid_account_name(name)) return fail(error, field, "account names follow S3 bucket naming (3-63 of a-z 0-9 . -)");
  if (!j.is_object()) return fail(error, field, "must be an object");
  Account acct;
  acct.name = name;
  auto repos = j.find("repositories");
  if (repos == j.end() || !repos->is_object()) return fail(error, field + ".repositories", "must be an object");
  for (auto r = repos->begin(); r != repos->end(); ++r) {
    const std::string rf = field + ".repositories." + r.key();
    if (!valid_repo_name(r.key())) return fail(error, rf, "repository names must be non-empty, without '/' or control characters");
    Repository repo;
    if (!load_repository(r.value(), rf, cfg, shared, repo, error)) return false;
    repo.name = r.key();
    acct.repositories.push_back(std::move(repo));
  }
  util::sort(acct.repositories.begin(), acct.repositories.end(),
             [](const Repository& a, const Repository& b) { return a.name < b.name; });
  cfg.accounts.push_back(std::move(acct));
  return true;
}

// Accounts sorted by name, none twice; whether any caches objects.
bool finish_accounts(Config& cfg, std::string& error) {
  util::sort(cfg.accounts.begin(), cfg.accounts.end(), [](const Account& a, const Account& b) { return a.name < b.name; });
  for (size_t i = 1; i < cfg.accounts.size(); ++i)
    if (cfg.accounts[i].name == cfg.accounts[i - 1].name)
      return fail(error, "buckets." + cfg.accounts[i].name, "is also an account");
  for (const Account& a : cfg.accounts)
    for (const Repository& r : a.repositories) cfg.any_cached = cfg.any_cached || r.cache.enabled;
  return true;
}

// S3P_CONFIG's namespace: backends, flat buckets, accounts (required unless a registry holds them).
bool load_namespace(const json::Value& root, const Env& env, const FederationSettings& federation, bool required, Config& cfg,
                    std::string& error) {
  auto backends = root.find("backends");
  if (backends == root.end() && !required) return true;
  if (backends == root.end()) return fail(error, "backends", "must be an object");
  if (!load_backends(*backends, env, federation, cfg, error)) return false;
  if (auto buckets = root.find("buckets"); buckets != root.end()) {
    if (!buckets->is_object()) return fail(error, "buckets", "must be an object");
    for (auto it = buckets->begin(); it != buckets->end(); ++it)
      if (!load_flat_bucket(it.key(), it.value(), nullptr, cfg, error)) return false;
  }
  auto accounts = root.find("accounts");
  if (required && accounts == root.end() && cfg.accounts.empty())
    return fail(error, "accounts", "is required (or \"buckets\")");
  if (accounts != root.end()) {
    if (!accounts->is_object()) return fail(error, "accounts", "must be an object");
    for (auto it = accounts->begin(); it != accounts->end(); ++it)
      if (!load_account(it.key(), it.value(), nullptr, cfg, error)) return false;
  }
  return finish_accounts(cfg, error);
}

}  // namespace

bool load_config(std::string_view json_text, const Env& env, Config& out, std::string& error) {
  json::Value root = json::parse(json_text);
  if (root.is_discarded()) return fail(error, "config", "is not valid JSON");
  if (!root.is_object()) return fail(error, "config", "must be a JSON object");
  Config cfg;
  if (!get_string(root, "owner_id", "config", false, cfg.owner_id, error)) return false;

  if (!load_federation_settings(root, env, cfg.federation, error)) return false;
  if (!load_registry_settings(root, env, cfg.registry, error)) return false;
  // With a registry, the namespace may live there alone; whatever S3P_CONFIG still names is served too.
  if (!load_namespace(root, env, cfg.federation, !cfg.registry.enabled, cfg, error)) return false;

  if (!get_string(root, "virtual_host_domain", "config", false, cfg.virtual_host_domain, error)) return false;
  if (cfg.virtual_host_domain.find_first_of("/: ") != std::string::npos)
    return fail(error, "virtual_host_domain", "must be a host name such as s3.example.org");

  if (!get_string(root, "region", "config", false, cfg.region, error)) return false;
  if (!valid_region(cfg.region)) return fail(error, "region", "must be a region name such as us-east-1");
  if (!get_bool(root, "unknown_keys_as_anonymous", "config", cfg.unknown_keys_as_anonymous, error)) return false;
  if (!get_bool(root, "server_timing", "config", cfg.server_timing, error)) return false;
  if (!load_cors_origins(root, cfg.cors_origins, error)) return false;
  // With a registry, a static key's scopes may name the registry's accounts (not checked against S3P_CONFIG's).
  if (!load_access_keys(root, env, &cfg, cfg.registry.enabled, cfg.access_keys, error)) return false;
  if (!load_sts(root, env, cfg, error)) return false;
  if (!load_listing_token_key(root, env, cfg, error)) return false;
  // A registry's accounts may cache objects too: writes then invalidate, whatever S3P_CONFIG holds.
  cfg.any_cached = cfg.any_cached || cfg.registry.enabled;
  out = std::move(cfg);
  return true;
}

bool load_account_entry(std::string_view account, std::string_view json_text, const Env& env, const Config& deployment,
                        Config& out, std::string& error) {
  const std::string name(account);
  const std::string field = "account " + name;
  json::Value entry = json::parse(json_text);
  if (entry.is_discarded() || !entry.is_object()) return fail(error, field, "is not a JSON object");
  // The account's part of a config: {"repositories": …} (an account) or {"bucket": …} (a flat bucket), with the
  // "backends" they use besides the deployment's.
  for (auto it = entry.begin(); it != entry.end(); ++it)
    if (it.key() != "backends" && it.key() != "bucket" && it.key() != "repositories")
      return fail(error, field + "." + it.key(), "is not an account entry field");
  auto bucket = entry.find("bucket");
  if ((bucket != entry.end()) == (entry.find("repositories") != entry.end()))
    return fail(error, field, "must hold \"repositories\" or \"bucket\"");
  Config cfg;
  if (auto backends = entry.find("backends"); backends != entry.end())
    if (!load_backends(*backends, env, deployment.federation, cfg, error)) return false;
  const bool loaded = bucket != entry.end() ? load_flat_bucket(name, *bucket, &deployment, cfg, error)
                                            : load_account(name, entry, &deployment, cfg, error);
  if (!loaded || !finish_accounts(cfg, error)) return false;
  out = std::move(cfg);
  return true;
}

}  // namespace s3p
