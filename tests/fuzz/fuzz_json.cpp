// Fuzzes the core's JSON reader (worker/http/json.h) against nlohmann_json, which it replaced: every input is read
// the same way by both, but where ours is deliberately stricter (tests/unit/json_differential.h). Every lookup on
// what it read stays in bounds.
#include <cstdint>
#include <string>

#include "tests/unit/json_differential.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string in(reinterpret_cast<const char*>(data), size);
  if (!s3p::test::same_as_nlohmann(in)) __builtin_trap();
  // Lookups past the end or of absent names give a null value.
  const s3p::json::Value v = s3p::json::parse(in);
  if (!v[v.size()].is_null() || !v["\x01" "absent"].is_null()) __builtin_trap();
  return 0;
}
