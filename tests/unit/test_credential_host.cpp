// Credential code runs against CredentialHost alone (worker/creds/credential_host.h), not the Engine: a fake host
// here is enough to drive a cold flight's leader and waiter and see the waiter woken when the leader goes away.
#include <catch2/catch.hpp>

#include "federation_fixture.h"
#include "worker/creds/federation.h"

using namespace s3p;

namespace {

struct FakeHost : CredentialHost {
  Config cfg;
  Federation fed;
  std::vector<std::unique_ptr<Task>> spawned;
  std::vector<uint32_t> woken;
  uint32_t spawn(std::unique_ptr<Task> task) override {
    spawned.push_back(std::move(task));
    return static_cast<uint32_t>(spawned.size());
  }
  void wake(uint32_t id) override { woken.push_back(id); }
  Federation& federation() override { return fed; }
  const FederationSettings& federation_settings() const override { return cfg.federation; }
};

}  // namespace

TEST_CASE("credential code needs only its host interface: a cold key's leader, a waiter, and the wake-up",
          "[federation][host]") {
  FakeHost host;
  std::string error;
  REQUIRE(load_config(fedtest::config(), fedtest::env(), host.cfg, error));
  const Backend& backend = *host.cfg.backends.at("fed");
  REQUIRE(backend.auth == BackendAuth::WebIdentity);

  std::unique_ptr<CredentialOp> leader = host.fed.acquire(host, backend, 11);
  std::unique_ptr<CredentialOp> waiter = host.fed.acquire(host, backend, 12);
  CHECK(leader->next(0).kind == ActionKind::CacheMatch);  // the leader looks in L2 first
  const Action wait = waiter->next(0);
  CHECK(wait.kind == ActionKind::Wait);  // one exchange per key: the other waits for it
  CHECK(host.woken.empty());
  leader.reset();  // the leader's request went away mid-flight
  CHECK(host.woken == std::vector<uint32_t>{12});
  waiter.reset();
}
