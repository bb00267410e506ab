// L2: the per-colo credential cache (Cache API) wrapping the STS exchange. One entry = one whole STS response plus
// its own expiry (the Cache API's Age is not reliable locally, and an entry must never outlive its credentials),
// sealed with AES-256-GCM by the host; the AAD is the cache key, so an entry copied under another key does not
// open. This file holds the rules; the actions live in exchange.cpp and l2_writer.cpp.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "worker/creds/sts_response.h"

namespace s3p::l2 {

// A synthetic, non-routable URL: https://sts-creds.cache.internal/v1/{RoleArn}/{Session}, both segments
// percent-encoded (':' and '/' included), so distinct (role, session) pairs never share a key.
std::string cache_key(std::string_view role_arn, std::string_view session_name);

// What an entry is sealed to (the AES-GCM AAD): its cache key and the JWT subject the credentials were issued for.
// Two backends on one role whose subjects sanitize to one session name share the key but never each other's
// credentials (a trust policy may admit one subject and not the other): the other's entry does not open, a miss.
std::string seal_binding(std::string_view cache_key, std::string_view subject);

// Whole seconds an STS answer may live in L2: Expiration − now − 300 s (the margin keeps L2 entries well inside
// L1's refresh window, so an entry read from L2 is always fresh in L1). <= 0 means "do not cache".
inline constexpr int64_t kMarginSeconds = 300;
int64_t ttl_seconds(int64_t expiration_ms, double now_ms);

// The TTL to cache `response` with, or 0 when it must not be cached: an error document or anything unparseable,
// no/unparseable <Expiration>, or a TTL <= 0.
int64_t cacheable_ttl(const StsResponse& response, double now_ms);

// Plaintext before sealing: "s3p-l2/1\n" + expires_at_ms + "\n" + the STS response body.
std::string plaintext(int64_t expires_at_ms, std::string_view sts_body);

// Why an opened entry is unusable ("" = usable). On success `sts_body` views into `text`.
std::string read_plaintext(std::string_view text, double now_ms, std::string_view& sts_body);

}  // namespace s3p::l2
