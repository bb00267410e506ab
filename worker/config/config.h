// The proxy's configuration: accounts → repositories → backends. Loaded once per isolate from JSON; secrets
// (backend keys) are resolved from the Worker's environment by name and never appear in the JSON itself.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "worker/config/access.h"
#include "worker/config/entra_auth.h"
#include "worker/config/federation.h"
#include "worker/config/gcp_auth.h"
#include "worker/config/roles.h"
#include "worker/crypto/siv_hmac.h"

namespace s3p {

// Sas and EntraWorkloadIdentity: Azure backends only (config/entra_auth.h).
enum class BackendAuth { Anonymous, Static, WebIdentity, AssumeRole, SharedKey, GcpWorkloadIdentity, Sas, EntraWorkloadIdentity };

// The wire protocol a backend speaks (worker/dialect/): S3, Azure Blob Storage, or GCS (its XML API: S3 with
// differences).
enum class BackendDialect : uint8_t { S3, Azure, Gcs };

struct Backend {
  std::string name;
  std::string scheme;     // "http" | "https"
  std::string authority;  // host[:port] as it goes in the Host header and the SigV4 canonical headers
  std::string bucket;  // Azure: the container
  std::string region = "us-east-1";
  BackendDialect dialect = BackendDialect::S3;
  // Azure: the storage account, and the endpoint's path before the container ("/devstoreaccount1" on the
  // emulator's path-style URLs, "" on {account}.blob.core.windows.net).
  std::string account, base_path;
  std::string account_key;  // (SharedKey) decoded from the Worker secret account_key_secret names
  std::string sas_secret;   // (Sas) the NAME of the Worker secret holding the SAS: its value stays with the host
  uint32_t timeout_ms = 30000;  // first byte
  // A streamed answer must average at least this rate, else the host cuts it (ops/stream_deadline.h); 0: never.
  uint32_t min_body_rate_kib_s = 0;
  BackendAuth auth = BackendAuth::Anonymous;
  std::string access_key_id, secret_access_key, session_token;  // resolved secrets (Static)
  WebIdentityAuth web_identity;                                  // (WebIdentity)
  AssumeRoleAuth assume_role;                                    // (AssumeRole)
  GcpWorkloadIdentityAuth gcp;                                   // (GcpWorkloadIdentity)
  EntraWorkloadIdentityAuth entra;                               // (EntraWorkloadIdentity)
};

// The edge chunk cache for a repository's objects (worker/cache/): object bytes as aligned chunks in the Cache
// API, keyed by what identifies them (backend, key, ETag, chunk), and each object's metadata for a short time.
struct CacheSettings {
  bool enabled = false;                 // default: the repository is public (private data only when configured)
  uint32_t chunk_size = 4u << 20;       // bytes per chunk
  uint32_t metadata_ttl_s = 30;         // how long a size/ETag/type is trusted without asking the origin
  uint32_t chunk_ttl_s = 86400;         // chunks never change (their key holds the ETag): a long TTL is safe
  // A chunk is stored when asked for this many times within admit_window_s in an isolate (cache/admission.h);
  // until then its misses read only the client's bytes from the origin. 1: every miss stores its chunk.
  uint32_t admit_after = 2;
  uint32_t admit_window_s = 3600;
};

struct Repository {
  std::string name;
  const Backend* backend = nullptr;
  std::string prefix;  // backend key prefix, "" or ending in '/'
  bool public_read = false;  // anyone (anonymous included) may read and list it
  bool read_only = false;    // nobody may write or delete, whatever their scopes say
  CacheSettings cache;
  // The Cache-Control of successful reads ("" = the backend's, else kDefaultPublicCacheControl or
  // kDefaultPrivateCacheControl): browsers and downstream caches must not guess freshness of catalogue files.
  std::string cache_control;
};
inline constexpr std::string_view kDefaultPublicCacheControl = "public, max-age=60";
inline constexpr std::string_view kDefaultPrivateCacheControl = "private, no-cache";

struct Account {
  std::string name;
  std::vector<Repository> repositories;  // sorted by name
  // Flat mode: the bucket maps 1:1 onto a backend (bucket, prefix): one repository with an empty name, and the
  // whole key after the bucket is the key.
  bool flat = false;
  const Repository* find(std::string_view repo) const;
};

// The namespace registry (config/registry_settings.h): accounts and keys S3P_CONFIG does not name are looked up
// there per request.
struct RegistrySettings {
  bool enabled = false;
  // Where entries are read: a Workers KV binding, or an HTTP registry API (README "Registry": the contract), whose
  // answers the colo's Cache API keeps too. The API's bearer token is a Worker secret only the host reads.
  enum class Source : uint8_t { Kv, Api } source = Source::Kv;
  std::string kv_binding = "REGISTRY";
  std::string api_url;           // Api: base URL ending in "/"; an entry's URL is api_url + its name
  std::string api_token_secret;  // Api: the Worker secret holding the bearer token (its value never enters the core)
  std::string key_secret_name;  // the Worker secret holding it
  std::string key_material;  // the deployment key access keys' secrets derive from (a Worker secret's value)
  uint32_t entry_ttl_s = 60;     // how long a found entry is trusted: a change or revocation takes effect within it
  uint32_t negative_ttl_s = 10;  // how long "no such account / key" is trusted
  uint32_t listing_ttl_s = 60;   // how long the account list (ListBuckets) is trusted
  uint32_t stale_s = 600;        // past its TTL, an entry still serves while the registry cannot answer, this long
  uint32_t timeout_ms = 2000;    // one registry read
};

struct Config {
  std::map<std::string, std::unique_ptr<Backend>, std::less<>> backends;  // stable addresses for Repository
  std::vector<Account> accounts;                                            // sorted by name
  std::string owner_id = "s3-edge-proxy";
  // Virtual-host style: requests to {account}.{virtual_host_domain} address that account ("" = off).
  std::string virtual_host_domain;
  FederationSettings federation;
  RegistrySettings registry;
  // Inbound authentication: the region clients sign for, the proxy's access keys (sorted by id), and whether a
  // request signed with a key we do not know is served as anonymous (people whose own AWS keys sit in their
  // environment) instead of being refused with InvalidAccessKeyId.
  std::string region = "us-east-1";
  std::vector<AccessKey> access_keys;
  bool unknown_keys_as_anonymous = false;
  // The client-facing STS (config/roles.h): its settings and the roles its sessions assume (sorted by name).
  StsSettings sts;
  std::vector<Role> roles;
  const Role* find_role(std::string_view name) const;
  bool server_timing = false;  // send Server-Timing (backend and total ms) on responses
  // Browser origins (scheme://host[:port]) that may read private repositories cross-origin; public ones are "*".
  std::vector<std::string> cors_origins;
  // Seals ListObjectsV2 continuation tokens (worker/s3/continuation_token.h). Where the key comes from decides
  // where a token opens: a configured secret or one derived from the config's secrets works on every isolate of
  // the deployment; a per-core random key (no secrets at all) only on the isolate that made it.
  enum class TokenKeySource { None, Secret, Derived, PerCore };
  crypto::SivKeys listing_token_keys;
  bool any_cached = false;  // some repository caches objects: writes must then invalidate what they change
  // Keys the object cache's entry names (worker/cache/chunk_plan.h), from the same deployment-wide secret as the
  // listing-token key: another Worker of the zone cannot find a private repository's cached bytes. Empty when the
  // config holds no secret (names are then plain hashes; a per-core key would keep isolates from sharing entries).
  std::string object_cache_name_key;
  TokenKeySource listing_token_key_source = TokenKeySource::None;
  const Account* find(std::string_view account) const;
  const AccessKey* find_key(std::string_view id) const;
};

using Env = std::map<std::string, std::string, std::less<>>;

// S3 bucket naming rules (3-63 of a-z 0-9 . -), since accounts are what S3 clients see as buckets.
bool valid_account_name(std::string_view s);

// Parses and validates. On failure returns false and sets `error` to a message naming the offending field
// (e.g. `backends.main.endpoint: must be http(s)://host[:port]`). Never mentions secret values.
bool load_config(std::string_view json_text, const Env& env, Config& out, std::string& error);

// One registry account entry ({"repositories": {...}} or {"bucket": {...}}, with the "backends" they use) as a
// config holding that account alone, validated by the same rules (errors name the field). `deployment` supplies
// what an entry cannot change (federation).
bool load_account_entry(std::string_view account, std::string_view json_text, const Env& env, const Config& deployment,
                        Config& out, std::string& error);

}  // namespace s3p
