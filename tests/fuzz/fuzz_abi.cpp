// Fuzzes the host→core boundary: arbitrary bytes as request heads and results must be refused or handled,
// never trap, and every request must finish with Respond/Done. A second, scripted request — a signed DeleteObjects
// of three keys on an Azure repository, whose deletes go as one FetchBatch — is fed the same result bytes, so
// the FetchBatch result shape (and any other result met where a batch is awaited) is fuzzed through the engine.
#include <cstdint>
#include <string>
#include <vector>

#include "host_shim/codec.h"
#include "worker/core/engine.h"
#include "worker/crypto/sha256.h"
#include "worker/sign/sigv4.h"

namespace {

constexpr const char* kDeleteBody =
    "<Delete><Object><Key>az/a</Key></Object><Object><Key>az/b</Key></Object><Object><Key>az/c</Key></Object></Delete>";

s3p::Engine& azure_engine() {
  static s3p::Engine& engine = *[] {
    auto* e = new s3p::Engine;
    e->init(R"({"backends":{"az":{"dialect":"azure","endpoint":"http://127.0.0.1:9/devstoreaccount1",
                "account":"devstoreaccount1","container":"cont","auth":{"type":"shared_key","account_key_secret":"AZ_KEY"}}},
                "access_keys":{"AKIDFUZZ":{"secret_access_key_secret":"USER_SECRET",
                  "scopes":[{"account":"acct","repository":"az","actions":["read","write","delete"]}]}},
                "accounts":{"acct":{"repositories":{"az":{"backend":"az","prefix":"p/","cache":{"enabled":false}}}}}})",
            {{"USER_SECRET", "fuzz-secret"},
             {"AZ_KEY", "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="}},
            "fuzz_abi seed, fixed for replay");
    if (!e->configured()) __builtin_trap();
    return e;
  }();
  return engine;
}

s3p::RequestHead signed_delete() {
  static const s3p::RequestHead head = [] {
    const std::string hash = s3p::crypto::hex(s3p::crypto::sha256(kDeleteBody));
    std::vector<s3p::sigv4::Header> h{{"host", "proxy.test"}, {"x-amz-content-sha256", hash}};
    s3p::sigv4::SigningKeyCache keys;
    s3p::sigv4::sign_request("POST", "/acct", "delete=", h, hash, {"AKIDFUZZ", "fuzz-secret", ""}, "us-east-1", "s3", 0, keys);
    s3p::RequestHead r;
    r.method = "POST";
    r.path = "/acct";
    r.query = "delete=";
    for (auto& x : h) r.headers.push_back({x.name, x.value});
    r.has_body = true;
    r.random = 1;
    return r;
  }();
  return head;
}

// The scripted DeleteObjects: its body as asked, then every later action answered with the fuzzed result.
void fuzz_batch_results(const uint8_t* data, size_t size) {
  s3p::Engine& engine = azure_engine();
  const uint32_t id = engine.begin(signed_delete(), 0);
  for (int step = 0; step < 8; ++step) {
    s3p::Action a = engine.next(id, 0);
    if (a.kind == s3p::ActionKind::Respond || a.kind == s3p::ActionKind::Done) break;
    s3p::Result r;
    if (a.kind == s3p::ActionKind::ReadBody) {
      r.kind = s3p::ActionKind::ReadBody;
      r.flag = true;
      r.data = kDeleteBody;
    } else if (a.kind == s3p::ActionKind::FetchBatch && a.batch.size() != 3) {
      __builtin_trap();  // three keys: one window
    } else if (!s3p::codec::decode_result(data, size, r)) {
      r = s3p::Result{};
    }
    engine.feed(id, std::move(r), 0);
  }
  engine.release(id);
  if (engine.in_flight() != 0) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static s3p::Engine& engine = *[] {
    auto* e = new s3p::Engine;
    e->init(R"({"backends":{"b":{"endpoint":"http://127.0.0.1:9","bucket":"x"}},
                "accounts":{"acct":{"repositories":{"r":{"backend":"b","prefix":"p/","public":true}}}}})", {}, "fuzz_abi seed, fixed for replay");
    return e;
  }();
  size_t half = size / 2;
  fuzz_batch_results(data + half, size - half);
  s3p::RequestHead head;
  if (!s3p::codec::decode_head(data, half, head)) return 0;
  uint32_t id = engine.begin(std::move(head), 1e12);
  for (int step = 0; step < 8; ++step) {
    s3p::Action a = engine.next(id, 1e12);
    if (a.kind == s3p::ActionKind::Respond || a.kind == s3p::ActionKind::Done) break;
    s3p::Result r;
    if (!s3p::codec::decode_result(data + half, size - half, r)) r = s3p::Result{};
    engine.feed(id, std::move(r), 1e12);
  }
  engine.release(id);
  if (engine.in_flight() != 0) __builtin_trap();
  return 0;
}
