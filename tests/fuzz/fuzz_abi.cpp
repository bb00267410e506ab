// Fuzzes the host→core boundary: arbitrary bytes as request heads and results must be refused or handled,
// never trap, and every request must finish with Respond/Done.
#include <cstdint>
#include <string>

#include "host_shim/codec.h"
#include "worker/core/engine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static s3p::Engine& engine = *[] {
    auto* e = new s3p::Engine;
    e->init(R"({"backends":{"b":{"endpoint":"http://127.0.0.1:9","bucket":"x"}},
                "accounts":{"acct":{"repositories":{"r":{"backend":"b","prefix":"p/","public":true}}}}})", {}, "fuzz_abi seed, fixed for replay");
    return e;
  }();
  size_t half = size / 2;
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
