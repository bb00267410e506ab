// Resolving a request's registry entries: the phase between routing and authentication when the deployment has
// a registry. For each name the request needs (its account, a copy's source account, the access key it claims,
// the STS role it assumes or its session was issued for, the account list for ListBuckets) the isolate's cache answers, or one request per name reads the registry while
// the others wait for it (the credential tiers' rules):
//
//   for each name:  fresh in the isolate? ─yes─► use it
//                     │ no
//                   lead? ─no─► Wait (woken when the leader is done) ─► look again
//                     │ yes
//                   [API source] fresh in the colo's Cache API? ─yes─► stored in the isolate (its TTL counts from
//                     │ no                                              when the registry answered), used
//                   RegistryGet ─► found / absent / malformed: stored, used ([API] and written to the colo tier in
//                     │ the read failed (timeout, error)                 the background, when not malformed)
//                   a stale entry (isolate, else colo) within its bound? ─yes─► used, logged ("stale")
//                     │ no
//                   503 ServiceUnavailable (nothing stored)
//
// Malformed entries fail only the request that needs them (503, the field named in the log), never the others'.
// Entries are sealed by the deployment key whichever tier they come from: the colo's copy is checked like KV's.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "worker/proto/action.h"
#include "worker/proto/task.h"
#include "worker/registry/registry_cache.h"
#include "worker/s3/failure.h"

namespace s3p::registry {

std::string account_entry(std::string_view account);
std::string key_entry(std::string_view id);
std::string role_entry(std::string_view role);  // v1/role/NAME (an STS role: config/roles.h)
std::string idp_entry(std::string_view idp);    // v1/idp/NAME (config/identity_providers.h)
// A page of a paged account index: v1/index/accounts/pN (N: 1-9 digits).
bool is_index_page(std::string_view name);
inline constexpr size_t kMaxIndexPages = 10000;
// The colo tier (API source): the Cache API key of an entry — a non-routable URL naming the source and the entry —
// and the value kept there: when the registry answered, then its answer ("" = no such entry), sealed by the
// deployment key for that entry's name.
std::string colo_url(const RegistrySettings& settings, std::string_view name);
std::string colo_value(const RegistrySettings& settings, std::string_view name, double fetched_at_ms,
                       std::string_view answer);
bool open_colo_value(const RegistrySettings& settings, std::string_view name, std::string_view value,
                     double& fetched_at_ms, std::string_view& answer);
inline constexpr std::string_view kAccountList = kAccountListEntry;

class Resolve {
 public:
  Resolve(Cache& cache, const Config& config, uint32_t task, std::vector<std::string> names);
  ~Resolve();
  Resolve(const Resolve&) = delete;
  Resolve& operator=(const Resolve&) = delete;

  // The next action; Done when every name is answered (or one could not be: then failed()).
  Action next(double now_ms);
  void feed(Result&& result, double now_ms);

  bool failed() const { return failed_; }
  const Failure& failure() const { return failure_; }
  // Hands the found entries to the request's namespace (a disabled or expired key, a disabled role, are left out:
  // as unknown).
  void pin(Namespace& ns, int64_t now_s) const;
  // For the log: "cache" (all from the isolate), "colo" (some from the colo's tier), "registry" (some read),
  // "stale" (some served past its TTL).
  std::string_view source() const { return source_; }
  const std::string& note() const { return note_; }
  // Colo-tier writes of what this request read from the API: run in the background once the request has answered.
  std::vector<std::unique_ptr<Task>> take_background() { return std::move(background_); }

 private:
  enum class State { Look, Waiting, MatchingColo, ReadNext, Reading };
  Action read(const std::string& name);
  void on_colo(const std::string& name, const Result& r, double now_ms);
  void prefer_source(std::string_view s);
  Answer parse(const std::string& name, const Result& r) const;
  void use(const Answer& a);
  void fall_back(const std::string& name, const std::string& why, double now_ms, bool malformed = false);
  void release();

  Cache& cache_;
  const Config& config_;
  uint32_t task_;
  std::vector<std::string> names_;
  size_t index_ = 0;
  State state_ = State::Look;
  bool leading_ = false, waiting_ = false, failed_ = false;
  double waited_since_ms_ = -1;  // when this request began waiting for another's read of the current name
  Failure failure_;
  std::vector<Answer> answers_;
  std::string_view source_ = "cache";
  std::string note_;
  std::optional<Answer> colo_stale_;  // the colo's entry for the current name: past its TTL, within the stale bound
  std::vector<std::unique_ptr<Task>> background_;
};

}  // namespace s3p::registry
