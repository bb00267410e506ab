// Session credentials issued by the proxy's STS (worker/sts/): stateless. A session is {access key id (ASIA…),
// secret, role, session name, source key, scopes, expiry}; its session token is that record sealed by the host
// (AES-256-GCM under the Worker secret sts.session_key_secret, which never enters the core), with additional data
// binding it to its purpose and its access key id. Any isolate verifies a request signed with session credentials
// by opening the token (auth/session_cache.h), then admitting it for this request (`admit`): the role and the key
// that assumed it are looked up again, so removing either, or the key's trust, ends its sessions at once, and
// the session grants no more than (its scopes at issue) ∩ (the role's now) ∩ (the source key's now). A session
// from AssumeRoleWithWebIdentity has a provider and a subject instead of a source key: it grants (its scopes at
// issue) ∩ (the role's now), and ends when the role no longer trusts that provider or revokes that subject.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "worker/config/access_keys.h"
#include "worker/config/namespace.h"
#include "worker/http/headers.h"
#include "worker/http/uri.h"
#include "worker/s3/errors.h"

namespace s3p::auth {

struct Session {
  std::string access_key_id;  // "ASIA" + 16 of A-Z 2-7
  std::string secret;         // 40 characters of base64
  std::string role;
  std::string session_name;
  std::string source_key;     // the access key that assumed the role ("" for a web-identity session)
  std::string provider;       // a web-identity session: the identity provider whose token assumed the role
  std::string subject;        // ... and that token's `sub`
  std::vector<Scope> scopes;  // the role's ∩ the source key's, when issued
  int64_t issued_s = 0, expires_s = 0;
};

// The account our ARNs name: arn:aws:iam::s3-edge-proxy:role/NAME, arn:aws:sts::s3-edge-proxy:assumed-role/NAME/SESSION.
inline constexpr std::string_view kStsAccount = "s3-edge-proxy";
std::string role_arn(std::string_view role);
std::string assumed_role_arn(std::string_view role, std::string_view session_name);
// A stable, opaque id for a role ("AROA" + 17 of A-Z 0-9), as STS's AssumedRoleId starts with.
std::string role_id(std::string_view role);
// "arn:aws:iam::s3-edge-proxy:role/NAME" → NAME (a valid role name); false for anything else.
bool parse_role_arn(std::string_view arn, std::string& role);
// STS's RoleSessionName rule: 2-64 of [A-Za-z0-9_+=,.@-] (its pattern [\w+=,.@-]*).
bool valid_session_name(std::string_view name);

// Fresh credentials from `random` (≥ kCredentialRandomBytes of host randomness).
inline constexpr size_t kCredentialRandomBytes = 46;  // 16 for the key id (5 bits each), 30 for the secret
bool make_credentials(std::string_view random, std::string& access_key_id, std::string& secret);
bool is_session_key_id(std::string_view id);

// The token as clients carry it: "S3P1" + base64url(IV ‖ ciphertext ‖ tag). At most kMaxTokenBytes.
inline constexpr size_t kMaxTokenBytes = 4096;
std::string token_text(std::string_view sealed);
bool token_sealed(std::string_view token, std::string& sealed);
// Whether a token is in our form at all ("S3P1…"). Anything else is AWS's own (a user whose AWS session sits in
// their environment): not ours to open — the request authenticates as any unknown key does.
bool is_our_token(std::string_view token);
// The AAD of a session's seal: its purpose and its access key id (a token opens only for the key it names).
std::string token_aad(std::string_view access_key_id);
// What is sealed (compact JSON), and back. `parse` checks every field's shape; false on anything else.
std::string session_plaintext(const Session& s);
bool parse_session_plaintext(std::string_view text, Session& out);

// The session token a request carries: the x-amz-security-token header, else a presigned URL's
// X-Amz-Security-Token (SigV4) or x-amz-security-token (SigV2) parameter (null when none). Signatures cover each
// (the header must be signed; SigV4's parameter is part of the canonical query, SigV2's signed as a header).
const std::string* session_token(const Headers& headers, const std::vector<http::QueryParam>& params);

// Scopes granting exactly what both lists grant: a key is allowed by the result iff it is allowed by `a` and by `b`.
std::vector<Scope> intersect_scopes(const std::vector<Scope>& a, const std::vector<Scope>& b);

// This request's view of an opened session: null error and `out` = the access key it signs as (its id and secret,
// the scopes it grants now), or the S3 error (ExpiredToken; InvalidToken when its role, or its source key, or the
// role's trust in that key, is gone) with the reason in `detail` (never the token or the secret).
const S3Error* admit(const Session& s, const Namespace& ns, int64_t now_s, std::shared_ptr<const KeyEntry>& out,
                     std::string& detail);

}  // namespace s3p::auth
