#include "worker/creds/exchange.h"

#include <cmath>
#include <memory>

#include "worker/creds/l2_entry.h"
#include "worker/creds/l2_writer.h"
#include "worker/creds/sts_request.h"
#include "worker/crypto/sha256.h"
#include "worker/rules/jwt.h"

namespace s3p {

namespace {
constexpr uint32_t kJtiBytes = 16;
}

Exchange::Exchange(CredentialHost& host, const FederationSettings& settings, const CredentialSource& source)
    : host_(host), settings_(settings), source_(source) {}

void Exchange::fail(const S3Error& e, std::string detail) {
  ok_ = false;
  failure_ = {&e, std::move(detail)};
  step_ = Step::Done;
}

Action Exchange::next(double now_ms) {
  Action a;
  if (awaiting_) {  // host misuse: asked for the next action without feeding the last result
    fail(errors::InternalError, "credential exchange: next() without a result");
    return a;
  }
  switch (step_) {
    case Step::MatchL2:
      a.kind = ActionKind::CacheMatch;
      a.call.name = source_.l2_key();
      break;
    case Step::OpenL2:
      a.kind = ActionKind::Open;
      a.call.name = settings_.l2_key_secret;
      a.call.aad = source_.l2_binding();
      a.call.data = std::move(scratch_);
      break;
    case Step::Base: return drive_base(now_ms);
    case Step::Random:
      a.kind = ActionKind::Random;
      a.number = kJtiBytes;
      break;
    case Step::Sign: {
      jwt::Claims c;
      c.iss = settings_.issuer;
      c.sub = std::string(source_.token_subject());
      c.aud = source_.token_audience().empty() ? settings_.audience : std::string(source_.token_audience());
      c.iat = c.nbf = static_cast<int64_t>(std::floor(now_ms / 1000));
      c.exp = c.iat + settings_.token_lifetime_seconds;
      c.jti = jti_;
      scratch_ = jwt::signing_input(settings_.kid, c);
      a.kind = ActionKind::SignRs256;
      a.call.name = settings_.signing_key_secret;
      a.call.data = scratch_;
      break;
    }
    case Step::Post:
      a.kind = ActionKind::Fetch;
      a.fetch = round_ == 0 ? source_.sts_request(settings_, {scratch_, base_ && base_->ok() ? &base_->credentials() : nullptr}, now_ms)
                            : std::move(follow_up_);
      scratch_.clear();
      follow_up_ = FetchAction{};
      base_.reset();  // the base session signed the call: nothing keeps it
      if (a.fetch.url.empty()) {
        fail(errors::InternalError, "sts request refused as built");
        return Action{};
      }
      break;
    case Step::SpawnWrite: {
      // Cache the answer for the other isolates of this colo, in the background (never on the request path).
      const int64_t expires_at_ms = static_cast<int64_t>(now_ms) + l2_ttl_s_ * 1000;
      auto writer = std::make_unique<L2Writer>(settings_.l2_key_secret, source_.l2_key(), source_.l2_binding(),
                                               l2::plaintext(expires_at_ms, sts_body_), l2_ttl_s_);
      sts_body_.clear();
      a.kind = ActionKind::Spawn;
      a.number = host_.spawn(std::move(writer));
      step_ = Step::Done;
      return a;
    }
    case Step::Done: return a;
  }
  awaiting_ = true;
  return a;
}

void Exchange::feed(Result&& r, double now_ms) {
  if (step_ == Step::Base) return base_->feed(std::move(r), now_ms);  // the base exchange's action's result
  if (!awaiting_) return fail(errors::InternalError, "credential exchange: a result nobody asked for");
  awaiting_ = false;
  switch (step_) {
    case Step::MatchL2:
      if (r.kind != ActionKind::CacheMatch) break;
      return on_cache_match(r);
    case Step::OpenL2:
      if (r.kind != ActionKind::Open) break;
      return on_open(r, now_ms);
    case Step::Random:
      if (r.kind != ActionKind::Random) break;
      if (!r.flag || r.data.size() != kJtiBytes) return fail(errors::InternalError, "host randomness failed");
      jti_ = crypto::hex(reinterpret_cast<const uint8_t*>(r.data.data()), r.data.size());
      step_ = Step::Sign;
      return;
    case Step::Sign:
      if (r.kind != ActionKind::SignRs256) break;
      if (!r.flag || r.data.empty()) return fail(errors::InternalError, "jwt signing failed: " + r.error);
      scratch_ = jwt::compact(scratch_, r.data);
      step_ = Step::Post;
      return;
    case Step::Post:
      if (r.kind != ActionKind::Fetch) break;
      return on_sts(r.fetch, now_ms);
    case Step::Base:  // fed above
    case Step::SpawnWrite:
    case Step::Done: break;
  }
  fail(errors::InternalError, "credential exchange: unexpected result kind");
}

Exchange::Step Exchange::after_l2_miss() {
  if (const CredentialSource* base = source_.base_source()) {
    base_ = std::make_unique<Exchange>(host_, settings_, *base);
    return Step::Base;
  }
  return source_.needs_token() ? Step::Random : Step::Post;
}

// The base exchange's actions are this exchange's until it is done (its L2 write included); then its credentials
// sign this source's STS call, and its failure is this one's.
Action Exchange::drive_base(double now_ms) {
  Action a = base_->next(now_ms);
  if (a.kind != ActionKind::Done) return a;
  if (!base_->ok()) {
    const FlightFailure f = base_->failure();
    fail(*f.error, "chained source: " + f.detail);
    return Action{};
  }
  step_ = Step::Post;
  return next(now_ms);
}

void Exchange::on_cache_match(Result& r) {
  if (r.flag && !r.data.empty()) {
    scratch_ = std::move(r.data);
    step_ = Step::OpenL2;
    return;
  }
  if (!r.flag && !r.error.empty()) note_ = "l2 unavailable: " + r.error;
  step_ = after_l2_miss();
}

// Any entry that does not yield fresh credentials is a miss, never an error: the exchange goes on to STS and its
// answer replaces the entry.
void Exchange::on_open(Result& r, double now_ms) {
  step_ = after_l2_miss();
  if (!r.flag) {
    note_ = "l2 entry undecryptable";
    return;
  }
  std::string_view body;
  if (std::string why = l2::read_plaintext(r.data, now_ms, body); !why.empty()) {
    note_ = "l2 entry " + why;
    return;
  }
  StsResponse parsed = source_.parse_l2(body);
  if (parsed.kind != StsResponse::Kind::Credentials || !parsed.has_expiration ||
      static_cast<double>(parsed.expiration_ms) - now_ms < L1Cache::kRefreshLeadMs) {
    note_ = "l2 entry unusable";
    return;
  }
  ok_ = true;
  creds_ = std::move(parsed.creds);
  expires_ms_ = parsed.expiration_ms;
  from_ = "L2";
  step_ = Step::Done;
}

void Exchange::on_sts(const FetchResult& r, double now_ms) {
  StsResponse parsed;
  FlightFailure failure;
  if (!source_.outcome(round_, r, now_ms, parsed, failure)) return fail(*failure.error, std::move(failure.detail));
  if (FetchAction more = source_.follow_up(round_, parsed, now_ms); !more.url.empty()) {
    ++round_;
    follow_up_ = std::move(more);
    step_ = Step::Post;
    return;
  }
  // Credentials that are (nearly) expired on arrival would only make the backend refuse the request: STS gave
  // an unusable answer (a clock fault on either side), not a client error.
  if (static_cast<double>(parsed.expiration_ms) - now_ms < L1Cache::kMinRemainingMs)
    return fail(errors::BadGateway, "sts HTTP 200: credentials expire in under " +
                                        std::to_string(L1Cache::kMinRemainingMs / 1000) + " s");
  l2_ttl_s_ = l2::cacheable_ttl(parsed, now_ms);
  if (l2_ttl_s_ > 0) sts_body_ = source_.l2_document(r, parsed);  // before the credentials move out of `parsed`
  step_ = l2_ttl_s_ > 0 ? Step::SpawnWrite : Step::Done;
  ok_ = true;
  creds_ = std::move(parsed.creds);
  expires_ms_ = parsed.expiration_ms;
  from_ = "STS";
}

}  // namespace s3p
