// Fuzzes config loading: any JSON text is either a valid config or a field-naming error, never a crash.
#include <cstdint>
#include <string>

#include "worker/config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  s3p::Config cfg;
  std::string error;
  s3p::Env env{{"K", "AKID"}, {"S", "secret"}};
  if (!s3p::load_config(in, env, cfg, error) && error.empty()) __builtin_trap();
  return 0;
}
