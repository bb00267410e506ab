#include "worker/creds/federation.h"

#include <algorithm>
#include <cmath>

#include "worker/http/log_line.h"
#include "worker/creds/credential_source.h"
#include "worker/creds/exchange.h"
#include "worker/creds/l2_entry.h"

namespace s3p {

namespace {

// How often a woken waiter whose flight was abandoned (its leader went away) decides again before giving up.
constexpr int kMaxDecisions = 3;

// The background renewal of credentials that entered L1's refresh window. Runs under waitUntil; requests keep
// using the current credentials meanwhile. It ends with a log line of its own (no client request reports it, so a
// failed renewal would otherwise be invisible until the credentials run out).
class RenewTask : public Task {
 public:
  RenewTask(CredentialHost& host, std::unique_ptr<CredentialSource> source, uint64_t flight)
      : host_(host),
        source_(std::move(source)),
        key_(source_->l1_key()),
        flight_(flight),
        exchange_(host, host.federation_settings(), *source_) {}
  ~RenewTask() override {
    if (!finished_) host_.federation().abandon_flight(host_, key_, flight_);
  }
  Action next(double now_ms) override {
    if (start_ms_ < 0) start_ms_ = now_ms;
    Action a = exchange_.next(now_ms);
    if (a.kind == ActionKind::Done && !logged_) {
      logged_ = true;
      a.log_line = log_line(now_ms);
    }
    return a;
  }
  void feed(Result&& r, double now_ms) override {
    exchange_.feed(std::move(r), now_ms);
    if (exchange_.has_outcome() && !finished_) {
      finished_ = true;
      host_.federation().finish_flight(host_, key_, flight_, exchange_, now_ms);
    }
  }

 private:
  // Role and session name identify the credentials without being secret; the detail is STS's code or the
  // transport failure, never the token or the answer's body.
  std::string log_line(double now_ms) const {
    LogLine log;
    log.str("op", "RenewCredentials").str("task", "background").str("outcome", exchange_.ok() ? "ok" : "failed");
    log.str("role", source_->role_arn()).str("session", source_->session_name());
    if (exchange_.ok()) {
      log.str("creds", exchange_.source());
    } else {
      log.str("code", exchange_.failure().error->code);
      if (!exchange_.failure().detail.empty()) log.str("detail", exchange_.failure().detail);
    }
    if (!exchange_.note().empty()) log.str("creds_note", exchange_.note());
    log.num("total_ms", now_ms - start_ms_);
    return log.finish();
  }

  CredentialHost& host_;
  std::unique_ptr<CredentialSource> source_;  // before exchange_, which refers to it
  std::string key_;
  uint64_t flight_;
  Exchange exchange_;
  bool finished_ = false;
  bool logged_ = false;
  double start_ms_ = -1;
};

// What a client request drives: an L1 decision, then serving, leading the exchange, or waiting for the leader.
class FederatedOp : public CredentialOp {
 public:
  FederatedOp(CredentialHost& host, const Backend& b, std::unique_ptr<CredentialSource> source, uint32_t task_id)
      : host_(host), backend_(b), cred_source_(std::move(source)), task_id_(task_id), key_(cred_source_->l1_key()) {}
  ~FederatedOp() override {
    if (state_ == State::Waiting) host_.federation().l1().remove_waiter(key_, task_id_);
    if (state_ == State::Leading && !flight_finished_) host_.federation().abandon_flight(host_, key_, flight_);
  }

  Action next(double now_ms) override {
    switch (state_) {
      case State::Deciding: return decide(now_ms);
      case State::Leading: {
        Action a = exchange_->next(now_ms);
        if (a.kind != ActionKind::Done) return a;
        if (!flight_finished_) finish_flight(now_ms);  // ended without a deciding result (host misuse)
        if (exchange_->ok()) {
          serve(exchange_->credentials(), exchange_->source());
        } else {
          failure_ = exchange_->failure();
          state_ = State::Finished;
        }
        return Action{};
      }
      case State::Waiting:  // next() before the Wait result: host misuse
        return give_up(errors::InternalError, "credential wait: next() without a result");
      case State::Finished: return Action{};
    }
    return Action{};
  }

  void feed(Result&& r, double now_ms) override {
    if (state_ == State::Leading) {
      exchange_->feed(std::move(r), now_ms);
      if (exchange_->has_outcome() && !flight_finished_) finish_flight(now_ms);
      return;
    }
    if (state_ != State::Waiting || r.kind != ActionKind::Wait) {
      give_up(errors::InternalError, "credential op: unexpected result");
      return;
    }
    L1Cache& l1 = host_.federation().l1();
    l1.remove_waiter(key_, task_id_);
    L1Cache::AfterWait after = l1.after_wait(key_, flight_, now_ms);
    switch (after.kind) {
      case L1Cache::AfterWait::Kind::Creds: serve(after.creds, "L1"); return;
      case L1Cache::AfterWait::Kind::Failed:
        failure_ = std::move(after.failure);
        state_ = State::Finished;
        return;
      case L1Cache::AfterWait::Kind::Nothing: break;
    }
    // Woken without an outcome: the leader went away; decide again (maybe lead). Timed out: give up.
    if (r.flag && decisions_ < kMaxDecisions) {
      state_ = State::Deciding;
      return;
    }
    give_up(errors::ServiceUnavailable, "timed out waiting for another request's credential exchange");
  }

  bool ok() const override { return ok_; }
  const sigv4::Credentials& credentials() const override { return creds_; }
  std::string_view source() const override { return source_; }
  const S3Error& error() const override { return *failure_.error; }
  const std::string& detail() const override { return failure_.detail; }
  std::string_view note() const override { return exchange_ ? std::string_view(exchange_->note()) : ""; }

 private:
  enum class State { Deciding, Leading, Waiting, Finished };

  Action decide(double now_ms) {
    ++decisions_;
    const FederationSettings& s = host_.federation_settings();
    L1Cache::Decision d = host_.federation().l1().decide(key_, now_ms, Federation::claim_ttl_ms(s, *cred_source_));
    Action a;
    switch (d.verdict) {
      case L1Cache::Verdict::Serve: serve(d.creds, "L1"); return a;
      case L1Cache::Verdict::ServeAndRenew:
        serve(d.creds, "L1+refresh");
        a.kind = ActionKind::Spawn;
        a.number = host_.spawn(std::make_unique<RenewTask>(host_, credential_source(backend_), d.flight));
        return a;
      case L1Cache::Verdict::Lead:
        state_ = State::Leading;
        flight_ = d.flight;
        flight_finished_ = false;
        exchange_ = std::make_unique<Exchange>(host_, s, *cred_source_);
        return next(now_ms);
      case L1Cache::Verdict::Wait:
        state_ = State::Waiting;
        flight_ = d.flight;
        host_.federation().l1().add_waiter(key_, task_id_);
        a.kind = ActionKind::Wait;
        a.number = static_cast<uint32_t>(std::max(1.0, std::ceil(d.wait_until_ms - now_ms)));
        return a;
    }
    return a;
  }

  void finish_flight(double now_ms) {
    flight_finished_ = true;
    host_.federation().finish_flight(host_, key_, flight_, *exchange_, now_ms);
  }

  void serve(const sigv4::Credentials& creds, std::string_view source) {
    ok_ = true;
    creds_ = creds;
    source_ = source;
    state_ = State::Finished;
  }

  Action give_up(const S3Error& e, std::string detail) {
    if (state_ == State::Waiting) host_.federation().l1().remove_waiter(key_, task_id_);
    failure_ = {&e, std::move(detail)};
    state_ = State::Finished;
    return Action{};
  }

  CredentialHost& host_;
  const Backend& backend_;
  std::unique_ptr<CredentialSource> cred_source_;  // outlives exchange_ (declared before it)
  uint32_t task_id_;
  std::string key_;
  State state_ = State::Deciding;
  int decisions_ = 0;
  uint64_t flight_ = 0;
  bool flight_finished_ = false;
  std::unique_ptr<Exchange> exchange_;
  bool ok_ = false;
  sigv4::Credentials creds_;
  std::string_view source_ = "none";
  FlightFailure failure_;
};

// A web_identity or assume_role backend in a config without federation cannot happen (config load rejects it), nor
// one of another kind here; answer 500.
class Misconfigured : public CredentialOp {
 public:
  Action next(double) override { return Action{}; }
  void feed(Result&&, double) override {}
  bool ok() const override { return false; }
  const sigv4::Credentials& credentials() const override { return creds_; }
  std::string_view source() const override { return "none"; }
  const S3Error& error() const override { return errors::InternalError; }
  const std::string& detail() const override { return detail_; }

 private:
  sigv4::Credentials creds_;
  std::string detail_ = "federated backend without federation settings";
};

}  // namespace

std::string Federation::l1_key(const WebIdentityAuth& auth) { return web_identity_l1_key(auth); }

std::unique_ptr<CredentialOp> Federation::acquire(CredentialHost& host, const Backend& backend, uint32_t task_id) {
  std::unique_ptr<CredentialSource> source = credential_source(backend);
  if (!host.federation_settings().enabled || !source) return std::make_unique<Misconfigured>();
  return std::make_unique<FederatedOp>(host, backend, std::move(source), task_id);
}

void Federation::finish_flight(CredentialHost& host, const std::string& key, uint64_t flight, const Exchange& exchange,
                               double now_ms) {
  std::vector<uint32_t> woken = exchange.ok() ? l1_.succeed(key, flight, exchange.credentials(), exchange.expires_ms())
                                              : l1_.fail(key, flight, exchange.failure(), now_ms);
  for (uint32_t id : woken) host.wake(id);
}

void Federation::abandon_flight(CredentialHost& host, const std::string& key, uint64_t flight) {
  for (uint32_t id : l1_.abandon(key, flight)) host.wake(id);
}

}  // namespace s3p
