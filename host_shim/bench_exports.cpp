// Benchmark-only exports (not part of the request ABI): let a host time core routines inside the real wasm
// modules. Driven by tests/wasm/list_rewrite_bench.mjs.
#include <cstdint>
#include <string>

#include "worker/s3/list_rewrite.h"

#if defined(__wasm__)
#define S3P_BENCH_EXPORT(name) extern "C" __attribute__((export_name(name), used))
#else
#define S3P_BENCH_EXPORT(name) extern "C" __attribute__((used))
#endif

namespace {
std::string g_bench_in;
std::string g_bench_out;
}  // namespace

// A buffer of at least `size` bytes for the host to write the benchmark input into. Valid until the next call.
S3P_BENCH_EXPORT("bench_in") uint8_t* bench_in(uint32_t size) {
  if (g_bench_in.size() < size) g_bench_in.resize(size);
  return reinterpret_cast<uint8_t*>(&g_bench_in[0]);
}

// Rewrites the ListBucketResult in bench_in[0, xml_len) `iterations` times, as a listing of repository "climate"
// stored under backend prefix "datasets/climate/", for account "acme". Returns the output size of the last run
// (0 if the rewrite failed or nothing ran), so the work cannot be optimized away.
S3P_BENCH_EXPORT("bench_list_rewrite") uint32_t bench_list_rewrite(uint32_t xml_len, uint32_t iterations) {
  if (xml_len > g_bench_in.size()) return 0;
  s3p::xml::ListRewrite rw;
  rw.backend_prefix = "datasets/climate/";
  rw.client_prefix = "climate/";
  rw.bucket = "acme";
  const std::string_view in(g_bench_in.data(), xml_len);
  std::string error;
  uint32_t size = 0;
  for (uint32_t i = 0; i < iterations; ++i) {
    size = s3p::xml::rewrite_listing(in, rw, g_bench_out, error) ? static_cast<uint32_t>(g_bench_out.size()) : 0;
  }
  return size;
}
