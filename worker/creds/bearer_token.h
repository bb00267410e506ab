// What the bearer-token exchanges (GCP workload identity, Entra workload identity) share: the form they POST, the
// token as it may go into "Authorization: Bearer", the provider's error text as it may go into a log line, and the
// L2 document a token is kept in ("{head}{expiry ms}\n{token}", sealed by l2_entry like every L2 value).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "worker/creds/l1_cache.h"
#include "worker/creds/sts_response.h"

namespace s3p::bearer {

// Appends name=value (value percent-encoded) to an application/x-www-form-urlencoded body.
void form_param(std::string& out, std::string_view name, std::string_view value);

// One run of printable ASCII without spaces, at most `max` bytes.
bool usable_token(std::string_view token, size_t max);

// A provider's error text for the log: at most 200 bytes, control characters as spaces.
std::string log_detail(std::string text);

// A provider's answer read as far as a token and its expiry (expires_ms, when has_expiry) → the credentials, or
// the failure (BadGateway: a provider that answered 200 without a usable token or expiry). `http` names the answer
// in the failure's detail ("gcp sts HTTP 200").
bool token_answer(std::string token, bool has_expiry, int64_t expires_ms, size_t max_token, const std::string& http,
                  StsResponse& out, FlightFailure& failure);

std::string l2_document(std::string_view head, const StsResponse& got);
// The token of an L2 document with this head; kind None when it is not one (or its token is not usable).
StsResponse parse_l2_document(std::string_view head, std::string_view doc, size_t max_token);

}  // namespace s3p::bearer
